import type { Logger } from 'pino';
import { DomainError } from '../common/errors/domain-error';
import type { RequestContext } from '../common/request-context';
import { TransactionalConnection } from '../database/transactional-connection';
import type { ChangesPage, SyncChange } from '../sync/sync-changes.service';
import { SyncChangesService } from '../sync/sync-changes.service';
import type { PushResult } from '../sync/sync-push.service';
import type { PushableResource } from '../sync/sync-resources';
import type { AgentMetrics } from './agent-metrics';
import type { AgentState, Failure, SeenVersion } from './agent-state';
import type { LocalStore } from './local-store';
import type { PlatformClient, PushChange } from './platform-client';
import type { PlatformValues } from './platform-values';
import {
  batchFor,
  collapse,
  externalIdOf,
  MAX_BATCH,
  PUSHED_RESOURCES,
  toPushChange,
} from './push-batch';

/**
 * Pushes the local store's catalogue, customers and stock levels to the platform: reads the
 * local change feed from the push checkpoint, a page at a time, and sends each page as one batch
 * whose id the same changes always get again. Where the batch ends is written down before it is
 * sent; the checkpoint and the versions the platform answered move together, in one local
 * transaction, only after the platform has answered. A crash in between rebuilds the same
 * batch, which the platform replays rather than applies.
 */
export class Pusher {
  private cursor: string | null | undefined;
  private pendingUntil: string | null = null;

  constructor(
    private readonly store: LocalStore,
    private readonly feed: SyncChangesService,
    private readonly connection: TransactionalConnection,
    private readonly state: AgentState,
    private readonly client: PlatformClient,
    private readonly logger: Logger,
    private readonly metrics: AgentMetrics,
    private readonly values: PlatformValues,
  ) {}

  /** Pushes every local change there is; answers how many were pushed. */
  async drain(signal: AbortSignal): Promise<number> {
    let pushed = 0;
    if (this.cursor === undefined) {
      const checkpoints = await this.connection.run(this.store.context(), (manager) =>
        this.state.checkpoints(manager),
      );
      this.cursor = checkpoints.push;
      this.pendingUntil = checkpoints.pushPendingUntil;
    }
    for (;;) {
      const from: string | null = this.cursor;
      const page = await this.readFeed(from);
      if (!page) continue;
      const { changes, checkpoint, hasMore } = this.cutAtPending(page);
      const collapsed = collapse(changes);
      if (collapsed.length > 0) {
        const last = changes[changes.length - 1].cursor;
        await this.pushBatch(collapsed, { from, last, checkpoint }, signal);
        pushed += collapsed.length;
      } else if (checkpoint !== from) {
        await this.connection.run(this.store.context(), (manager) =>
          this.state.savePushCursor(manager, checkpoint),
        );
      }
      this.cursor = checkpoint;
      this.pendingUntil = null;
      if (!hasMore) {
        if (collapsed.length === 0) this.metrics.lag.set({ direction: 'push' }, 0);
        return pushed;
      }
    }
  }

  /**
   * After a crash with a batch in flight, the page is cut where that batch ended, so that the
   * batch is rebuilt from the very same changes (and gets the same id) even if more came since.
   */
  private cutAtPending(page: ChangesPage): {
    changes: SyncChange[];
    checkpoint: string;
    hasMore: boolean;
  } {
    const end = this.pendingUntil
      ? page.changes.findIndex((change) => change.cursor === this.pendingUntil)
      : -1;
    if (end < 0)
      return { changes: page.changes, checkpoint: page.nextCursor, hasMore: page.hasMore };
    const changes = page.changes.slice(0, end + 1);
    return { changes, checkpoint: changes[end].cursor, hasMore: true };
  }

  /** A page of the local feed; after its events expired, the whole store again (idempotent). */
  private async readFeed(from: string | null) {
    try {
      return await this.feed.list(this.store.context(), {
        cursor: from ?? undefined,
        limit: MAX_BATCH,
        resources: PUSHED_RESOURCES,
      });
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'cursor_expired') throw error;
      this.logger.warn(
        { cursor: from },
        'push checkpoint older than the local event retention; pushing everything again',
      );
      this.cursor = null;
      return undefined;
    }
  }

  private async pushBatch(
    changes: SyncChange[],
    span: { from: string | null; last: string; checkpoint: string },
    signal: AbortSignal,
  ): Promise<void> {
    const keys = changes.map((change) => ({
      resource: change.resource as PushableResource,
      externalId: externalIdOf(change),
    }));
    const bases = await this.connection.run(this.store.context(), (manager) =>
      this.state.versions(manager, keys),
    );
    const items = changes.map((change, index) =>
      toPushChange(change, bases.get(`${keys[index].resource}:${keys[index].externalId}`) ?? null),
    );
    const batch = batchFor(this.store.id, { from: span.from, to: span.last }, items);
    await this.connection.run(this.store.context(), (manager) =>
      this.state.savePushPending(manager, span.last),
    );
    const answer = await this.client.push(batch, signal);
    const results = await this.retryInvalid(batch.batchId, items, answer.results, signal);
    await this.connection.run(this.store.context(), async (manager, ctx) => {
      const { seen, failures } = await this.outcomes(ctx, items, results);
      await this.state.recordVersions(manager, seen);
      await this.state.recordFailures(manager, failures);
      await this.state.savePushCursor(manager, span.checkpoint);
    });
    this.metrics.lag.set({ direction: 'push' }, ageOfOldest(changes));
    this.logger.info(
      {
        batchId: batch.batchId,
        changes: items.length,
        replayed: answer.replayed,
        ...countBy(results, (result) => result.status),
      },
      'pushed local changes',
    );
  }

  /**
   * Items refused as invalid once more, in a batch of their own: a batch is applied in order, so
   * an item can fail only for what came before it in the same batch (a SKU freed by a later
   * item). Its id derives from the first batch's, so a crash replays it too.
   */
  private async retryInvalid(
    batchId: string,
    items: PushChange[],
    results: PushResult[],
    signal: AbortSignal,
  ): Promise<PushResult[]> {
    const again = items.filter((_item, index) => results[index].status === 'invalid');
    if (again.length === 0) return results;
    const retried = await this.client.push({ batchId: `${batchId}:retry`, changes: again }, signal);
    const byExternalId = new Map(
      again.map((item, index) => [`${item.resource}:${item.externalId}`, retried.results[index]]),
    );
    return results.map((result, index) =>
      result.status === 'invalid'
        ? byExternalId.get(`${items[index].resource}:${items[index].externalId}`)!
        : result,
    );
  }

  /**
   * What each result means here, in the local transaction that records it: the platform version
   * to base the next push on, failures to set aside, and the platform's values to take over. The
   * platform's version becomes the base only once this side holds what the platform holds (an
   * open conflict's fields aside): else the next push would read the old local values as local
   * changes. Until then the old base stays, and the next push is merged against it again.
   */
  private async outcomes(ctx: RequestContext, items: PushChange[], results: PushResult[]) {
    const seen: SeenVersion[] = [];
    const failures: Failure[] = [];
    for (const [index, item] of items.entries()) {
      const result = results[index];
      const { resource, externalId } = item;
      this.metrics.pushed.inc({ resource, status: result.status });
      if (result.conflict) this.metrics.conflicts.inc({ resource });
      if (result.status === 'invalid') {
        // Stock of a SKU the platform does not have: its product was deleted here since.
        if (resource === 'inventory' && result.errors?.every((e) => e.code === 'not_found'))
          continue;
        failures.push({
          direction: 'push',
          resource,
          externalId,
          code: 'invalid',
          detail: result.errors,
        });
        this.metrics.failures.inc({ direction: 'push' });
        this.logger.error(
          { resource, externalId, errors: result.errors },
          'the platform refused a local change; set aside in platform.sync_agent_failures',
        );
        continue;
      }
      const adoption = await this.values.adopt(ctx, item, result);
      if (adoption.fields.length > 0)
        this.logger.info(
          { resource, externalId, fields: adoption.fields },
          'took over the platform’s values',
        );
      if (adoption.refused)
        this.logger.warn(
          { resource, externalId, code: adoption.refused.code, error: adoption.refused.message },
          'could not take over the platform’s values here; the next push is merged again',
        );
      if (result.status === 'conflict')
        this.logger.warn(
          { resource, externalId, conflict: result.conflict },
          'the platform reported a conflicting edit',
        );
      // An open conflict keeps the old base, so the next push meets it again until resolved.
      const settled = result.status !== 'conflict' || result.conflict?.resolution !== undefined;
      if (settled && adoption.complete)
        seen.push({
          resource,
          externalId,
          platformId: item.deleted && result.status !== 'conflict' ? null : result.id,
          version: result.version,
        });
    }
    return { seen, failures };
  }
}

function ageOfOldest(changes: readonly SyncChange[]): number {
  const times = changes
    .map((change) => Date.parse(String(change.data.updatedAt)))
    .filter((time) => !Number.isNaN(time));
  return times.length === 0 ? 0 : Math.max(0, (Date.now() - Math.min(...times)) / 1000);
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}
