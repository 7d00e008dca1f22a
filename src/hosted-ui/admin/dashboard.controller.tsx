import { Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../common/request-context';
import { OrdersService } from '../../orders/orders.service';
import type { HostedStore } from '../../platform/stores.service';
import { CsrfTokens } from '../../web/csrf-tokens';
import { sendDocument } from '../../web/page-reply';
import { StaffContext, Store } from '../hosted-request';
import { HostedPages } from '../hosted-pages.decorator';
import { DashboardPage } from './dashboard-page';

const LATEST_ORDERS = 5;

/** The start of today, in UTC: a store has no time zone of its own. */
function startOfTodayUtc(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** The admin's home: what happened in the store today. */
@HostedPages('admin', { admin: true })
export class DashboardController {
  constructor(
    private readonly orders: OrdersService,
    private readonly csrf: CsrfTokens,
  ) {}

  @Get()
  async show(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
  ): Promise<void> {
    const today = await this.orders.summarizeSince(staff, startOfTodayUtc());
    const latest = await this.orders.listNewest(staff, { limit: LATEST_ORDERS });
    sendDocument(
      reply,
      200,
      <DashboardPage
        store={store}
        staff={staff}
        csrf={this.csrf.issue(request, reply)}
        todayCount={today.count}
        todayRevenue={today.revenue}
        latest={latest.data}
      />,
    );
  }
}
