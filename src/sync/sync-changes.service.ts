import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { decodeCursor, encodeCursor } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import type { EventEnvelope } from '../events/event-envelope';
import { RESOURCE_EVENTS, resourceOfEvent, SyncResource, SYNC_RESOURCES } from './sync-resources';

export interface SyncChange {
  readonly cursor: string;
  readonly resource: SyncResource;
  readonly id: string;
  readonly externalId: string | null;
  readonly op: 'upsert' | 'delete';
  readonly version: number | null;
  readonly data: Record<string, unknown>;
}

export interface ChangesPage {
  readonly changes: SyncChange[];
  /** Where to continue: past every change this answer covered, matching or not. */
  readonly nextCursor: string;
  readonly hasMore: boolean;
}

interface EventRow {
  sequence: string;
  type: string;
  resource_id: string;
  payload: EventEnvelope;
  external_id: string | null;
}

/**
 * The store's changes in commit order, from the event log. The log's sequence numbers are taken
 * as each transaction's last write, under a lock held until COMMIT, so they become visible in
 * order with no gaps: a reader paging by sequence can neither skip a change nor see one twice,
 * however many writers there are. The cursor is that sequence.
 */
@Injectable()
export class SyncChangesService {
  constructor(readonly connection: TransactionalConnection) {}

  @Transactional({ readOnly: true })
  async list(
    ctx: RequestContext,
    query: { cursor?: string; limit: number; resources?: readonly SyncResource[] },
  ): Promise<ChangesPage> {
    const after = query.cursor ? decodeSequence(query.cursor) : 0;
    const resources = query.resources?.length ? query.resources : SYNC_RESOURCES;
    const types = resources.flatMap((resource) => RESOURCE_EVENTS[resource].types);
    const manager = this.connection.manager(ctx);
    const [{ first, last }]: { first: string | null; last: string | null }[] = await manager.query(
      'SELECT min(sequence) AS first, max(sequence) AS last FROM events',
    );
    // Sequences have no gaps, so a missing successor means retention deleted it.
    if (first !== null && Number(first) > after + 1)
      throw new DomainError(
        'cursor_expired',
        'Changes after this cursor are older than the event retention and were deleted; sync from the start (no cursor).',
      );
    const rows: EventRow[] = await manager.query(
      `SELECT e.sequence, e.type, e.resource_id, e.payload, l.external_id
         FROM events e
         -- Ids carry their type's prefix, so a resource id names one resource only.
         LEFT JOIN sync_links l ON l.resource_id = e.resource_id
        WHERE e.sequence > $1 AND e.type = ANY($2)
        ORDER BY e.sequence LIMIT $3`,
      [after, types, query.limit + 1],
    );
    const hasMore = rows.length > query.limit;
    const page = rows.slice(0, query.limit);
    const changes = page.map(toChange);
    // A page that is not full covered everything up to the newest change this reader can see.
    // Each statement has its own snapshot (READ COMMITTED), so the page may reach past `last`.
    const lastOnPage = page.length > 0 ? Number(page[page.length - 1].sequence) : 0;
    const reached =
      hasMore || page.length === query.limit
        ? lastOnPage
        : Math.max(after, Number(last ?? 0), lastOnPage);
    return { changes, nextCursor: encodeCursor([reached]), hasMore };
  }
}

function decodeSequence(cursor: string): number {
  const decoded = decodeCursor(cursor, ['number'] as const);
  return decoded ? decoded[0] : 0;
}

function toChange(row: EventRow): SyncChange {
  const resource = resourceOfEvent(row.type)!;
  const object = row.payload.data.object as Record<string, unknown>;
  return {
    cursor: encodeCursor([Number(row.sequence)]),
    resource,
    id: resource === 'inventory' ? String(object.variantId) : row.resource_id,
    externalId: row.external_id ?? (resource === 'inventory' ? String(object.sku) : null),
    op: RESOURCE_EVENTS[resource].deletes === row.type ? 'delete' : 'upsert',
    version: typeof object.version === 'number' ? object.version : null,
    data: object,
  };
}
