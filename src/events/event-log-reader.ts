import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { RequestContext } from '../common/request-context';
import { TransactionalConnection } from '../database/transactional-connection';
import type { EventEnvelope } from './event-envelope';

/** A committed event with its place in the store's log. */
export interface LiveEvent {
  readonly sequence: number;
  readonly event: EventEnvelope<object>;
}

/**
 * Reads a store's event log by sequence for the live feed, on the platform's own behalf (the
 * subscriber's credential was checked when it subscribed, and its scopes filter what it gets).
 * The log's sequence comes from a counter row held locked until COMMIT, so in any snapshot the
 * visible sequences are a prefix of the log: `head` is the last committed one, and what a read
 * after `head` misses has not committed yet.
 */
@Injectable()
export class EventLogReader {
  constructor(private readonly connection: TransactionalConnection) {}

  async head(storeId: string): Promise<number> {
    const rows = await this.query<{ value: string }>(
      storeId,
      "SELECT value FROM counters WHERE name = 'event_sequence'",
    );
    return Number(rows[0]?.value ?? 0);
  }

  async after(storeId: string, sequence: number, limit: number): Promise<LiveEvent[]> {
    const rows = await this.query<{ sequence: string; payload: EventEnvelope<object> }>(
      storeId,
      'SELECT sequence, payload FROM events WHERE sequence > $1 ORDER BY sequence LIMIT $2',
      [sequence, limit],
    );
    return rows.map((row) => ({ sequence: Number(row.sequence), event: row.payload }));
  }

  /** The sequence of one of the store's events, to resume after it. */
  async sequenceOf(storeId: string, eventId: string): Promise<number> {
    const rows = await this.query<{ sequence: string }>(
      storeId,
      'SELECT sequence FROM events WHERE id = $1',
      [eventId],
    );
    if (rows.length === 0) throw DomainError.notFound('event', 'after');
    return Number(rows[0].sequence);
  }

  private query<Row>(storeId: string, sql: string, parameters: unknown[] = []): Promise<Row[]> {
    const ctx = RequestContext.system(storeId, 'live-events');
    return this.connection.run(ctx, (manager) => manager.query(sql, parameters) as Promise<Row[]>, {
      readOnly: true,
    });
  }
}
