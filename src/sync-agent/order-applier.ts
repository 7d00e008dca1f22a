import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import type { RequestContext } from '../common/request-context';
import type { OrderState, OrderTransition } from '../orders/order-transitions';
import type { OrderResource } from '../orders/order.serializer';
import { OrdersService } from '../orders/orders.service';
import { SyncLinks } from '../sync/sync-links';
import type { AgentState } from './agent-state';
import { transitionsToReach } from './order-catch-up';

export type OrderOutcome = 'created' | 'updated' | 'unchanged' | 'skipped';

/**
 * Applies a marketplace order, as the platform reports it, to the local store through the local
 * OrdersService (so local stock, numbering, events and webhooks work as for any order). The link
 * from the platform's order id to the local one is written in the caller's transaction, with the
 * order itself, so a replayed change finds the order and never creates it twice.
 */
export class OrderApplier {
  constructor(
    private readonly orders: OrdersService,
    private readonly links: SyncLinks,
    private readonly state: AgentState,
  ) {}

  async apply(
    ctx: RequestContext,
    manager: EntityManager,
    remote: OrderResource,
  ): Promise<OrderOutcome> {
    const localId = await this.links.find(ctx, 'order', remote.id);
    if (localId) return this.catchUp(ctx, localId, remote);
    // Never seen here and already cancelled: it holds no stock, so there is nothing to mirror.
    if (remote.status === 'cancelled') return 'skipped';
    const created = await this.orders.create(ctx, {
      email: remote.email,
      ...(await this.customerOf(ctx, manager, remote)),
      lineItems: await localLines(manager, remote),
    });
    await this.links.set(ctx, 'order', remote.id, created.id);
    await this.catchUp(ctx, created.id, remote);
    return 'created';
  }

  private async catchUp(
    ctx: RequestContext,
    localId: string,
    remote: OrderResource,
  ): Promise<OrderOutcome> {
    const local = await this.orders.get(ctx, localId);
    const transitions = transitionsToReach(stateOf(local), stateOf(remote));
    for (const step of transitions) await this.transition(ctx, localId, step, remote);
    return transitions.length > 0 ? 'updated' : 'unchanged';
  }

  /** One transition, with what the platform recorded beside it (the reason, the tracking). */
  private transition(
    ctx: RequestContext,
    localId: string,
    step: OrderTransition,
    remote: OrderResource,
  ): Promise<OrderResource> {
    switch (step) {
      case 'pay':
        return this.orders.pay(ctx, localId);
      case 'fulfill':
        return this.orders.fulfill(ctx, localId, {
          trackingNumber: remote.trackingNumber ?? undefined,
          carrier: remote.carrier ?? undefined,
        });
      case 'cancel':
        return this.orders.cancel(ctx, localId, { reason: remote.cancelReason ?? undefined });
    }
  }

  /** The local customer the platform's one came from, when this agent pushed it and it is here. */
  private async customerOf(
    ctx: RequestContext,
    manager: EntityManager,
    remote: OrderResource,
  ): Promise<{ customerId?: string }> {
    if (!remote.customerId) return {};
    const localId = await this.state.localIdOf(manager, 'customer', remote.customerId);
    if (!localId) return {};
    const [exists]: unknown[] = await manager.query('SELECT 1 FROM customers WHERE id = $1', [
      localId,
    ]);
    return exists ? { customerId: localId } : {};
  }
}

/** The platform's lines as local ones: the same SKUs and quantities, on the local variants. */
async function localLines(manager: EntityManager, remote: OrderResource) {
  const skus = remote.lineItems.map((line) => line.sku);
  const rows: { id: string; sku: string }[] = await manager.query(
    'SELECT id, sku FROM variants WHERE sku = ANY($1)',
    [skus],
  );
  const bySku = new Map(rows.map((row) => [row.sku, row.id]));
  const missing = remote.lineItems.flatMap((line, index) =>
    bySku.has(line.sku)
      ? []
      : [
          {
            path: `lineItems.${index}.sku`,
            code: 'not_found',
            message: `No variant with SKU ${line.sku} here.`,
          },
        ],
  );
  if (missing.length > 0)
    throw new DomainError(
      'not_found',
      'A line of the order names a SKU this store does not have.',
      {
        errors: missing,
      },
    );
  return remote.lineItems.map((line) => ({
    variantId: bySku.get(line.sku)!,
    quantity: line.quantity,
  }));
}

function stateOf(order: OrderResource): OrderState {
  return {
    status: order.status,
    financialStatus: order.financialStatus,
    fulfillmentStatus: order.fulfillmentStatus,
  } as OrderState;
}
