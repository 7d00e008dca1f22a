import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { isId } from '../common/ids';
import { decodeCursor, Page } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import { ConflictRow } from './sync-conflict-records';
import { SyncHandlers } from './sync-handlers';
import { SyncLinks } from './sync-links';
import type { PushableResource } from './sync-resources';
import { coveredBy, fieldsToWrite, threeWayMerge } from './three-way-merge';

export interface SyncConflict {
  readonly id: string;
  readonly resource: PushableResource;
  readonly externalId: string;
  readonly resourceId: string | null;
  readonly policy: string;
  readonly status: 'open' | 'resolved';
  readonly resolution: string | null;
  readonly baseVersion: number | null;
  readonly serverVersion: number | null;
  readonly serverData: Record<string, unknown> | null;
  readonly incomingData: Record<string, unknown> | null;
  readonly incomingDeleted: boolean;
  readonly fields: string[];
  readonly batchId: string;
  readonly createdAt: Date;
  readonly resolvedAt: Date | null;
}

/**
 * Conflicts stay listed until someone resolves them: a concurrent edit is never lost silently.
 * Those a policy settled are listed too (`status=resolved`), with how.
 */
@Injectable()
export class SyncConflictsService {
  constructor(
    readonly connection: TransactionalConnection,
    private readonly handlers: SyncHandlers,
    private readonly links: SyncLinks,
  ) {}

  @Transactional({ readOnly: true })
  async list(
    ctx: RequestContext,
    query: { limit: number; cursor?: string; status?: 'open' | 'resolved' | 'all' },
  ): Promise<Page<SyncConflict>> {
    const after = decodeCursor(query.cursor, ['string'] as const);
    const status = query.status ?? 'open';
    const rows: ConflictRow[] = await this.connection.manager(ctx).query(
      `SELECT * FROM sync_conflicts
        WHERE ($1 = 'all' OR status = $1) AND ($2::text IS NULL OR id > $2)
        ORDER BY id LIMIT $3`,
      [status, after?.[0] ?? null, query.limit + 1],
    );
    return Page.fromRows(rows.map(toConflict), query.limit, (conflict) => [conflict.id]);
  }

  @Transactional({ readOnly: true })
  async get(ctx: RequestContext, conflictId: string): Promise<SyncConflict> {
    return toConflict(await this.row(ctx, conflictId, false));
  }

  /**
   * Settles an open conflict: `platform` keeps the platform's resource as it is; `self_hosted`
   * writes the pushed change over it now (through the same services, so events and webhooks
   * follow).
   */
  @Transactional()
  async resolve(
    ctx: RequestContext,
    conflictId: string,
    keep: 'self_hosted' | 'platform',
  ): Promise<SyncConflict> {
    const row = await this.row(ctx, conflictId, true);
    if (row.status !== 'open')
      throw new DomainError('invalid_state_transition', 'This conflict is already resolved.');
    if (keep === 'self_hosted') await this.applyIncoming(ctx, row);
    const [[updated]]: [ConflictRow[], number] = await this.connection.manager(ctx).query(
      `UPDATE sync_conflicts SET status = 'resolved', resolution = $2, resolved_at = now()
        WHERE id = $1 RETURNING *`,
      [conflictId, keep === 'self_hosted' ? 'self_hosted_kept' : 'platform_kept'],
    );
    return toConflict(updated);
  }

  /**
   * Writes the pushed values of the conflict's fields over the platform's resource as it is now.
   * Only those: what the push did not conflict on was merged when it came, and what the platform
   * changed since is its own. A field named `variants[SKU]` covers that variant's fields, and an
   * older record's `variants` every variant.
   */
  private async applyIncoming(ctx: RequestContext, row: ConflictRow): Promise<void> {
    const handler = this.handlers.of(row.resource);
    const existing = await handler.find(ctx, row.external_id, row.resource_id ?? undefined);
    if (row.incoming_deleted) {
      if (!existing) return;
      await handler.remove(ctx, existing);
      return;
    }
    const body = handler.validate(row.incoming_data);
    if (!existing) {
      const created = await handler.create(ctx, body);
      await this.links.set(ctx, row.resource, row.external_id, created.id);
      return;
    }
    const named = new Set(row.fields);
    const { merged } = threeWayMerge(
      { base: undefined, incoming: handler.fieldsOf(body), current: existing.fields },
      handler.shape,
      (path) => (coveredBy(path, named) ? 'incoming' : 'current'),
    );
    const writes = fieldsToWrite(merged, existing.fields, handler.shape);
    if (writes.length > 0)
      await handler.update(
        ctx,
        existing,
        Object.fromEntries(writes.map((name) => [name, merged[name]])),
        body,
      );
  }

  private async row(ctx: RequestContext, conflictId: string, lock: boolean): Promise<ConflictRow> {
    const rows: ConflictRow[] = isId(conflictId, 'conflict')
      ? await this.connection
          .manager(ctx)
          .query(`SELECT * FROM sync_conflicts WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [
            conflictId,
          ])
      : [];
    if (rows.length === 0) throw DomainError.notFound('conflict');
    return rows[0];
  }
}

function toConflict(row: ConflictRow): SyncConflict {
  return {
    id: row.id,
    resource: row.resource,
    externalId: row.external_id,
    resourceId: row.resource_id,
    policy: row.policy,
    status: row.status,
    resolution: row.resolution,
    baseVersion: row.base_version,
    serverVersion: row.server_version,
    serverData: row.server_data,
    incomingData: row.incoming_data,
    incomingDeleted: row.incoming_deleted,
    fields: row.fields,
    batchId: row.batch_id,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
  };
}
