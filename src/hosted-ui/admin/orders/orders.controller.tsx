import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../../common/errors/domain-error';
import type { RequestContext } from '../../../common/request-context';
import { validateInput } from '../../../common/validation/validate-input';
import type { EventEnvelope } from '../../../events/event-envelope';
import { CancelOrderDto, FulfillOrderDto } from '../../../orders/dto/order.dto';
import type { OrderResource } from '../../../orders/order.serializer';
import { OrdersService } from '../../../orders/orders.service';
import type { HostedStore } from '../../../platform/stores.service';
import { CsrfTokens } from '../../../web/csrf-tokens';
import { seeOther, sendDocument } from '../../../web/page-reply';
import { renderFragment } from '../../../web/render';
import { HostedPages } from '../../hosted-pages.decorator';
import { StaffContext, Store } from '../../hosted-request';
import { type LiveUpdate, LiveStreams } from '../../live/live-streams';
import { OrderDetailPage } from './order-detail-page';
import { ORDER_ROWS, OrderRow, OrdersListPage } from './order-views';

const ORDERS_PER_PAGE = 50;

/** The blank fields of a form left out, so the optional fields of an action stay unset. */
function filled(form: Record<string, unknown> | undefined, names: readonly string[]) {
  const values: Record<string, unknown> = {};
  for (const name of names) {
    const value = form?.[name];
    if (typeof value !== 'string' || value.trim() !== '') values[name] = value;
  }
  return values;
}

/** What a committed order event changes on the orders list: a new row, or an updated one. */
export function ordersListView(event: EventEnvelope<object>): readonly LiveUpdate[] {
  if (!event.type.startsWith('order.')) return [];
  const html = renderFragment(<OrderRow order={event.data.object as OrderResource} />);
  return event.type === 'order.created'
    ? [{ swap: 'prepend', target: ORDER_ROWS, html }]
    : [{ swap: 'replace', html }];
}

/** The admin's orders: the list (live), one order, and its actions, as the REST actions do. */
@HostedPages('admin/orders', { admin: true })
export class OrdersPagesController {
  constructor(
    private readonly orders: OrdersService,
    private readonly live: LiveStreams,
    private readonly csrf: CsrfTokens,
  ) {}

  @Get()
  async list(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Query('cursor') cursor: unknown,
  ): Promise<void> {
    // Read before the orders: the stream starts there, so nothing committed between is missed.
    const livePosition = await this.live.position(store.id);
    const at = typeof cursor === 'string' && cursor ? cursor : undefined;
    const page = await this.orders.listNewest(staff, { limit: ORDERS_PER_PAGE, cursor: at });
    sendDocument(
      reply,
      200,
      <OrdersListPage
        store={store}
        staff={staff}
        csrf={this.csrf.issue(request, reply)}
        orders={page.data}
        nextCursor={page.nextCursor}
        atCursor={at !== undefined}
        livePosition={livePosition}
      />,
    );
  }

  @Get('live')
  stream(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
  ): Promise<void> {
    return this.live.open(request, reply, store.id, ordersListView);
  }

  @Get(':id')
  async show(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Param('id') id: string,
  ): Promise<void> {
    this.detail(request, reply, store, staff, 200, await this.orders.get(staff, id));
  }

  @Post(':id/pay')
  pay(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Param('id') id: string,
  ): Promise<void> {
    return this.act(request, reply, store, staff, id, () => this.orders.pay(staff, id));
  }

  @Post(':id/fulfill')
  fulfill(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Param('id') id: string,
    @Body() form: Record<string, unknown> | undefined,
  ): Promise<void> {
    return this.act(request, reply, store, staff, id, () =>
      this.orders.fulfill(
        staff,
        id,
        validateInput(FulfillOrderDto, filled(form, ['trackingNumber', 'carrier'])),
      ),
    );
  }

  @Post(':id/cancel')
  cancel(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Param('id') id: string,
    @Body() form: Record<string, unknown> | undefined,
  ): Promise<void> {
    return this.act(request, reply, store, staff, id, () =>
      this.orders.cancel(staff, id, validateInput(CancelOrderDto, filled(form, ['reason']))),
    );
  }

  /** Runs the action; back to the order (303), or the order with why it was refused. */
  private async act(
    request: FastifyRequest,
    reply: FastifyReply,
    store: HostedStore,
    staff: RequestContext,
    id: string,
    action: () => Promise<OrderResource>,
  ): Promise<void> {
    try {
      await action();
      seeOther(reply, `/admin/orders/${id}`);
    } catch (error) {
      if (!(error instanceof DomainError) || error.status >= 500 || error.code === 'not_found')
        throw error;
      const message = [error.message, ...(error.details.errors ?? []).map((e) => e.message)].join(
        ' ',
      );
      const order = await this.orders.get(staff, id);
      this.detail(request, reply, store, staff, error.status, order, message);
    }
  }

  private detail(
    request: FastifyRequest,
    reply: FastifyReply,
    store: HostedStore,
    staff: RequestContext,
    status: number,
    order: OrderResource,
    error?: string,
  ): void {
    sendDocument(
      reply,
      status,
      <OrderDetailPage
        store={store}
        staff={staff}
        csrf={this.csrf.issue(request, reply)}
        order={order}
        error={error}
      />,
    );
  }
}
