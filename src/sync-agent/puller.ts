import type { Logger } from 'pino';
import { DomainError } from '../common/errors/domain-error';
import { TransactionalConnection } from '../database/transactional-connection';
import type { OrderResource } from '../orders/order.serializer';
import type { SyncChange } from '../sync/sync-changes.service';
import type { AgentMetrics } from './agent-metrics';
import type { AgentState } from './agent-state';
import type { LocalStore } from './local-store';
import type { OrderApplier, OrderOutcome } from './order-applier';
import { PlatformClient, PlatformError } from './platform-client';

const PAGE_SIZE = 100;

/**
 * Pulls the platform's changes to the store (marketplace orders) and applies them locally. Each
 * order is applied in one local transaction that also moves the pull checkpoint past it, so a
 * crash at any moment leaves either both or neither: nothing lost, nothing applied twice.
 */
export class Puller {
  private cursor: string | null | undefined;

  constructor(
    private readonly store: LocalStore,
    private readonly connection: TransactionalConnection,
    private readonly state: AgentState,
    private readonly client: PlatformClient,
    private readonly orders: OrderApplier,
    private readonly logger: Logger,
    private readonly metrics: AgentMetrics,
  ) {}

  /** Applies every platform change there is; answers how many orders changed here. */
  async drain(signal: AbortSignal): Promise<number> {
    let applied = 0;
    if (this.cursor === undefined)
      this.cursor = (
        await this.connection.run(this.store.context(), (manager) =>
          this.state.checkpoints(manager),
        )
      ).pull;
    for (;;) {
      const page = await this.readFeed(signal);
      if (!page) continue;
      // Each change carries the whole order: only the last one of each order in a page counts.
      const last = new Map(page.changes.map((change) => [change.id, change]));
      for (const change of page.changes) {
        if (last.get(change.id) !== change) continue;
        const outcome = await this.applyOne(change);
        this.metrics.pulled.inc({ resource: change.resource, outcome });
        if (outcome === 'created' || outcome === 'updated') applied += 1;
        this.cursor = change.cursor;
      }
      if (page.nextCursor !== this.cursor) {
        await this.connection.run(this.store.context(), (manager) =>
          this.state.savePullCursor(manager, page.nextCursor),
        );
        this.cursor = page.nextCursor;
      }
      if (!page.hasMore) {
        if (page.changes.length === 0) this.metrics.lag.set({ direction: 'pull' }, 0);
        return applied;
      }
    }
  }

  /** A page of the platform feed; after its events expired, the whole feed again (idempotent). */
  private async readFeed(signal: AbortSignal) {
    try {
      return await this.client.changes(
        { cursor: this.cursor, limit: PAGE_SIZE, resources: ['order'] },
        signal,
      );
    } catch (error) {
      if (!(error instanceof PlatformError) || error.code !== 'cursor_expired') throw error;
      this.logger.warn(
        { cursor: this.cursor },
        'pull checkpoint older than the platform event retention; reading its whole feed again',
      );
      this.cursor = null;
      return undefined;
    }
  }

  private async applyOne(change: SyncChange): Promise<OrderOutcome | 'failed'> {
    const order = change.data as unknown as OrderResource;
    try {
      const outcome = await this.connection.run(this.store.context(), async (manager, ctx) => {
        const outcome = await this.orders.apply(ctx, manager, order);
        await this.state.savePullCursor(manager, change.cursor);
        return outcome;
      });
      this.metrics.lag.set(
        { direction: 'pull' },
        Math.max(0, (Date.now() - Date.parse(order.updatedAt)) / 1000),
      );
      if (outcome !== 'unchanged')
        this.logger.info(
          { orderId: order.id, number: order.number, outcome },
          'applied a marketplace order',
        );
      return outcome;
    } catch (error) {
      // The database failing is worth retrying; the store refusing the order is not.
      if (!(error instanceof DomainError) || error.status >= 500) throw error;
      await this.connection.run(this.store.context(), async (manager) => {
        await this.state.recordFailures(manager, [
          {
            direction: 'pull',
            resource: 'order',
            externalId: order.id,
            code: error.code,
            detail: { message: error.message, errors: error.details.errors ?? [] },
          },
        ]);
        await this.state.savePullCursor(manager, change.cursor);
      });
      this.metrics.failures.inc({ direction: 'pull' });
      this.logger.error(
        { orderId: order.id, code: error.code, errors: error.details.errors },
        'a marketplace order could not be applied here; set aside in platform.sync_agent_failures',
      );
      return 'failed';
    }
  }
}
