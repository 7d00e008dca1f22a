import { Injectable } from '@nestjs/common';
import { In, SelectQueryBuilder } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { isId, newId } from '../common/ids';
import { decodeCursor, Page } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import { EventType } from '../events/event-catalog';
import { EventLog } from '../events/event-log.service';
import { CustomersService } from '../customers/customers.service';
import { InventoryService } from '../inventory/inventory.service';
import { StoresService } from '../platform/stores.service';
import {
  CancelOrderDto,
  CreateOrderDto,
  FulfillOrderDto,
  ListOrdersQueryDto,
} from './dto/order.dto';
import { applyTransition, OrderTransition } from './order-transitions';
import { LineItemEntity, OrderEntity } from './order.entity';
import { OrderResource, serializeOrder } from './order.serializer';

/** What an action records on the order beside its new state. */
type TransitionDetails = Partial<Pick<OrderEntity, 'cancelReason' | 'trackingNumber' | 'carrier'>>;

const TRANSITION_EVENTS: Record<OrderTransition, EventType> = {
  pay: 'order.paid',
  fulfill: 'order.fulfilled',
  cancel: 'order.cancelled',
};

@Injectable()
export class OrdersService {
  constructor(
    readonly connection: TransactionalConnection,
    private readonly inventory: InventoryService,
    private readonly customers: CustomersService,
    private readonly stores: StoresService,
    private readonly events: EventLog,
  ) {}

  /**
   * Prices the lines from the variants now, takes the stock of every line or none, and numbers
   * the order. The number comes from a counter row locked until COMMIT, taken after everything
   * that can refuse the order: numbers are consecutive, and a refused order uses none.
   */
  @Transactional()
  async create(ctx: RequestContext, input: CreateOrderDto): Promise<OrderResource> {
    const manager = this.connection.manager(ctx);
    if (input.customerId !== undefined && !(await this.customers.exists(ctx, input.customerId))) {
      throw DomainError.notFound('customer', 'customerId');
    }
    const lines = input.lineItems.map((line, index) => ({ ...line, path: `lineItems.${index}` }));
    const variants = await this.inventory.take(ctx, lines);
    const orderId = newId('ord');
    const lineItems = lines.map((line, position) => {
      const variant = variants.get(line.variantId)!;
      return manager.create(LineItemEntity, {
        id: newId('li'),
        orderId,
        position,
        variantId: variant.id,
        sku: variant.sku,
        title: variant.title ? `${variant.productTitle} – ${variant.title}` : variant.productTitle,
        quantity: line.quantity,
        unitPrice: variant.price,
        total: variant.price * line.quantity,
      });
    });
    const subtotal = lineItems.reduce((sum, item) => sum + item.total, 0);
    if (!Number.isSafeInteger(subtotal))
      throw new DomainError('validation_failed', 'The order total is too large.');
    const [[{ value: number }]] = await manager.query(
      "UPDATE counters SET value = value + 1 WHERE name = 'order_number' RETURNING value",
    );
    const order = manager.create(OrderEntity, {
      id: orderId,
      number: Number(number),
      email: input.email,
      customerId: input.customerId ?? null,
      currency: await this.stores.currencyOf(ctx),
      subtotal,
      total: subtotal,
      status: 'open',
      financialStatus: 'pending',
      fulfillmentStatus: 'unfulfilled',
      version: 1,
    });
    await manager.insert(OrderEntity, order);
    await manager.insert(LineItemEntity, lineItems);
    const created = await this.get(ctx, orderId);
    this.events.record(ctx, 'order.created', created.id, created);
    return created;
  }

  @Transactional({ readOnly: true })
  async get(ctx: RequestContext, orderId: string): Promise<OrderResource> {
    const order = isId(orderId, 'ord')
      ? await this.connection.repository(ctx, OrderEntity).findOneBy({ id: orderId })
      : null;
    if (!order) throw DomainError.notFound('order');
    return serializeOrder(order, (await this.lineItemsOf(ctx, [order.id])).get(order.id) ?? []);
  }

  /** A page of orders with their line items in two statements. */
  @Transactional({ readOnly: true })
  async list(ctx: RequestContext, query: ListOrdersQueryDto): Promise<Page<OrderResource>> {
    const after = decodeCursor(query.cursor, ['string'] as const);
    const builder = this.connection
      .repository(ctx, OrderEntity)
      .createQueryBuilder('o')
      .orderBy('o.id', 'ASC')
      .limit(query.limit + 1);
    if (after) builder.andWhere('o.id > :after', { after: after[0] });
    if (query.status) builder.andWhere('o.status = :status', { status: query.status });
    if (query.updatedSince)
      builder.andWhere('o.updatedAt >= :since', { since: new Date(query.updatedSince) });
    return this.withLineItems(ctx, builder, query.limit);
  }

  /** A page of the builder's orders with their line items: two statements. */
  private async withLineItems(
    ctx: RequestContext,
    builder: SelectQueryBuilder<OrderEntity>,
    limit: number,
  ): Promise<Page<OrderResource>> {
    const page = Page.fromRows(await builder.getMany(), limit, (order) => [order.id]);
    const items = await this.lineItemsOf(
      ctx,
      page.data.map((order) => order.id),
    );
    return page.map((order) => serializeOrder(order, items.get(order.id) ?? []));
  }

  /** The orders newest first, as the admin lists them (REST's list is in id order, for sync). */
  @Transactional({ readOnly: true })
  async listNewest(
    ctx: RequestContext,
    query: { readonly limit: number; readonly cursor?: string },
  ): Promise<Page<OrderResource>> {
    const before = decodeCursor(query.cursor, ['string'] as const);
    const builder = this.connection
      .repository(ctx, OrderEntity)
      .createQueryBuilder('o')
      .orderBy('o.id', 'DESC')
      .limit(query.limit + 1);
    if (before) builder.andWhere('o.id < :before', { before: before[0] });
    return this.withLineItems(ctx, builder, query.limit);
  }

  /**
   * How many orders were placed since `since` and what they bring in (cancelled ones left out of
   * the revenue), in one aggregate: the dashboard's figures without loading the orders.
   */
  @Transactional({ readOnly: true })
  async summarizeSince(
    ctx: RequestContext,
    since: Date,
  ): Promise<{ readonly count: number; readonly revenue: number }> {
    const row = await this.connection
      .repository(ctx, OrderEntity)
      .createQueryBuilder('o')
      .select('COUNT(*)', 'count')
      .addSelect("COALESCE(SUM(o.total) FILTER (WHERE o.status <> 'cancelled'), 0)", 'revenue')
      .where('o.createdAt >= :since', { since })
      .getRawOne<{ count: string; revenue: string }>();
    return { count: Number(row?.count ?? 0), revenue: Number(row?.revenue ?? 0) };
  }

  /** Marks the order paid; it closes once it is fulfilled too. */
  pay(ctx: RequestContext, orderId: string, expectedVersion?: number): Promise<OrderResource> {
    return this.transition(ctx, orderId, 'pay', {}, expectedVersion);
  }

  /** Marks the order fulfilled, keeping how it was shipped when that is given. */
  fulfill(
    ctx: RequestContext,
    orderId: string,
    input: FulfillOrderDto,
    expectedVersion?: number,
  ): Promise<OrderResource> {
    return this.transition(
      ctx,
      orderId,
      'fulfill',
      { trackingNumber: input.trackingNumber ?? null, carrier: input.carrier ?? null },
      expectedVersion,
    );
  }

  /** Cancels the order (refunded if it was paid), returns the stock of every line, keeps why. */
  cancel(
    ctx: RequestContext,
    orderId: string,
    input: CancelOrderDto,
    expectedVersion?: number,
  ): Promise<OrderResource> {
    return this.transition(
      ctx,
      orderId,
      'cancel',
      { cancelReason: input.reason ?? null },
      expectedVersion,
    );
  }

  @Transactional()
  private async transition(
    ctx: RequestContext,
    orderId: string,
    transition: OrderTransition,
    details: TransitionDetails,
    expectedVersion: number | undefined,
  ): Promise<OrderResource> {
    const manager = this.connection.manager(ctx);
    const order = await this.connection.getEntityOrThrow(ctx, OrderEntity, orderId, {
      prefix: 'ord',
      name: 'order',
      lock: true,
      expectedVersion,
    });
    const next = applyTransition(order, transition);
    if (transition === 'cancel')
      await this.inventory.restore(
        ctx,
        (await this.lineItemsOf(ctx, [order.id])).get(order.id) ?? [],
      );
    await manager.update(
      OrderEntity,
      { id: order.id },
      { ...next, ...details, version: order.version + 1, updatedAt: new Date() },
    );
    const updated = await this.get(ctx, order.id);
    this.events.record(ctx, TRANSITION_EVENTS[transition], updated.id, updated);
    this.events.record(ctx, 'order.updated', updated.id, updated);
    return updated;
  }

  private async lineItemsOf(
    ctx: RequestContext,
    orderIds: string[],
  ): Promise<Map<string, LineItemEntity[]>> {
    const byOrder = new Map<string, LineItemEntity[]>();
    if (orderIds.length === 0) return byOrder;
    const items = await this.connection
      .repository(ctx, LineItemEntity)
      .find({ where: { orderId: In(orderIds) }, order: { orderId: 'ASC', position: 'ASC' } });
    for (const item of items)
      byOrder.set(item.orderId, [...(byOrder.get(item.orderId) ?? []), item]);
    return byOrder;
  }
}
