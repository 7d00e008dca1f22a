import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { newId } from '../common/ids';
import { decodeCursor, Page } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import { EventType, visibleEventTypes } from './event-catalog';
import { EventEnvelope } from './event-envelope';
import { EventEntity } from './event.entity';
import { LiveEvents } from './live-events';

/**
 * Called in the transaction that records events, after they are written: the webhook outbox
 * writes its deliveries here, so they commit (or roll back) with the change itself.
 */
export type EventFanOut = (
  ctx: RequestContext,
  manager: EntityManager,
  events: readonly EventEnvelope<object>[],
) => Promise<void>;

/**
 * Called after a transaction that recorded events committed, before the write's caller gets its
 * answer (the response cache drops what the events changed, so the next read sees the write).
 */
export type CommitListener = (
  storeId: string,
  events: readonly EventEnvelope<object>[],
) => Promise<void>;

interface PendingEvent {
  readonly envelope: EventEnvelope<object>;
  readonly resourceId: string;
  readonly createdAt: Date;
}

/**
 * The store's event log. A service records its events in its own transaction; they get their
 * sequence numbers as the transaction's last write: the counter row stays locked until COMMIT, so
 * sequence numbers become visible in order and a reader paging by sequence never skips one that
 * commits late. A rollback takes its events and its numbers with it, so there are no gaps.
 */
@Injectable()
export class EventLog {
  private readonly pending = new WeakMap<RequestContext, PendingEvent[]>();
  private readonly fanOuts: EventFanOut[] = [];
  private readonly commitListeners: CommitListener[] = [];

  constructor(
    readonly connection: TransactionalConnection,
    private readonly live: LiveEvents,
  ) {}

  /** Registers a consumer that must see every event in its transaction (the webhook outbox). */
  addFanOut(fanOut: EventFanOut): void {
    this.fanOuts.push(fanOut);
  }

  /** Registers a consumer of what committed, awaited before the write answers. */
  addCommitListener(listener: CommitListener): void {
    this.commitListeners.push(listener);
  }

  /** `object` is the resource as the REST serializer of this API version renders it. */
  record<T extends object>(
    ctx: RequestContext,
    type: EventType,
    resourceId: string,
    object: T,
  ): EventEnvelope<T> {
    const storeId = ctx.requireStore();
    const createdAt = new Date();
    const envelope: EventEnvelope<T> = {
      id: newId('evt'),
      type,
      createdAt: createdAt.toISOString(),
      storeId,
      apiVersion: ctx.apiVersion,
      data: { object },
    };
    let events = this.pending.get(ctx);
    if (!events) {
      events = [];
      this.pending.set(ctx, events);
      this.connection.beforeCommit(ctx, 'event-log', () => this.flush(ctx));
    }
    events.push({ envelope, resourceId, createdAt });
    return envelope;
  }

  /**
   * Runs `work` in a savepoint of the context's open transaction. If it throws, its writes and
   * the events it recorded are undone together (an event never describes a change that rolled
   * back), and the rest of the transaction goes on.
   */
  async savepoint<T>(ctx: RequestContext, work: () => Promise<T>): Promise<T> {
    const manager = this.connection.manager(ctx);
    const recorded = this.pending.get(ctx)?.length ?? 0;
    await manager.query('SAVEPOINT event_log_item');
    try {
      const result = await work();
      await manager.query('RELEASE SAVEPOINT event_log_item');
      return result;
    } catch (error) {
      await manager.query('ROLLBACK TO SAVEPOINT event_log_item');
      this.pending.get(ctx)?.splice(recorded);
      throw error;
    }
  }

  private async flush(ctx: RequestContext): Promise<void> {
    const events = this.pending.get(ctx) ?? [];
    this.pending.delete(ctx);
    if (events.length === 0) return;
    const manager = this.connection.manager(ctx);
    const [[{ value }]] = await manager.query(
      "UPDATE counters SET value = value + $1 WHERE name = 'event_sequence' RETURNING value",
      [events.length],
    );
    const first = Number(value) - events.length + 1;
    const rows = events.map((event, index) =>
      Object.assign(new EventEntity(), {
        sequence: first + index,
        id: event.envelope.id,
        type: event.envelope.type,
        resourceId: event.resourceId,
        apiVersion: event.envelope.apiVersion,
        payload: event.envelope,
        createdAt: event.createdAt,
      }),
    );
    await manager.getRepository(EventEntity).insert(rows);
    const envelopes = events.map((event) => event.envelope);
    for (const fanOut of this.fanOuts) await fanOut(ctx, manager, envelopes);
    const committed = rows.map((row) => ({ sequence: row.sequence, event: row.payload }));
    const storeId = ctx.requireStore();
    this.connection.afterCommit(ctx, async () => {
      this.live.committed(storeId, committed);
      for (const listener of this.commitListeners) await listener(storeId, envelopes);
    });
  }

  /**
   * Events oldest first, as far as the caller's read scopes reach: a key without `read_orders`
   * sees no order events. The cursor is the last sequence seen.
   */
  @Transactional({ readOnly: true })
  async list(
    ctx: RequestContext,
    query: { limit: number; cursor?: string; type?: EventType; after?: string },
  ): Promise<Page<EventEnvelope>> {
    if (query.cursor && query.after) {
      throw DomainError.validation([
        {
          path: 'after',
          code: 'conflicting_parameters',
          message: 'Give either cursor or after, not both.',
        },
      ]);
    }
    const after = query.after
      ? [await this.sequenceOf(ctx, query.after)]
      : decodeCursor(query.cursor, ['number'] as const);
    const types = visibleEventTypes(ctx.scopes);
    if (query.type && !types.includes(query.type)) {
      throw new DomainError(
        'insufficient_scope',
        `Reading ${query.type} events needs its read scope.`,
      );
    }
    if (types.length === 0) return new Page([], null);
    const builder = this.connection
      .repository(ctx, EventEntity)
      .createQueryBuilder('event')
      .where('event.type IN (:...types)', { types: query.type ? [query.type] : types })
      .orderBy('event.sequence', 'ASC')
      .limit(query.limit + 1);
    if (after) builder.andWhere('event.sequence > :after', { after: after[0] });
    return Page.fromRows(await builder.getMany(), query.limit, (event) => [event.sequence]).map(
      (event) => event.payload,
    );
  }

  /**
   * The resource as the latest event that recorded it at `version` rendered it (the base of a
   * sync merge), or undefined once that event is past retention.
   */
  @Transactional({ readOnly: true })
  async objectAtVersion(
    ctx: RequestContext,
    resourceId: string,
    version: number,
  ): Promise<Record<string, unknown> | undefined> {
    const rows: { object: Record<string, unknown> }[] = await this.connection.manager(ctx).query(
      `SELECT payload -> 'data' -> 'object' AS object FROM events
        WHERE resource_id = $1 AND (payload -> 'data' -> 'object' ->> 'version')::int = $2
        ORDER BY sequence DESC LIMIT 1`,
      [resourceId, version],
    );
    return rows[0]?.object;
  }

  private async sequenceOf(ctx: RequestContext, eventId: string): Promise<number> {
    const event = await this.connection
      .repository(ctx, EventEntity)
      .findOne({ where: { id: eventId }, select: { sequence: true } });
    if (!event) throw DomainError.notFound('event', 'after');
    return event.sequence;
  }
}
