import { Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { DomainError } from '../common/errors/domain-error';
import { newId } from '../common/ids';
import { RequestContext } from '../common/request-context';
import { TransactionalConnection } from '../database/transactional-connection';
import type { SyncHandler } from './sync-handlers';
import type { SyncPolicy } from './sync-policies';
import type { PushableResource } from './sync-resources';
import { Decision, FieldPath, Fields, fieldsToWrite, pathName, valueAt } from './three-way-merge';

export interface ConflictRow {
  id: string;
  resource: PushableResource;
  external_id: string;
  resource_id: string | null;
  policy: SyncPolicy;
  status: 'open' | 'resolved';
  resolution: string | null;
  base_version: number | null;
  server_version: number | null;
  server_data: Record<string, unknown> | null;
  incoming_data: Record<string, unknown> | null;
  incoming_deleted: boolean;
  fields: string[];
  batch_id: string;
  created_at: Date;
  resolved_at: Date | null;
}

export type Resolution =
  | 'self_hosted_won'
  | 'platform_won'
  | 'merged'
  | 'self_hosted_kept'
  | 'platform_kept'
  | 'superseded';

export interface NewConflict {
  readonly resource: PushableResource;
  readonly externalId: string;
  readonly resourceId: string;
  readonly policy: SyncPolicy;
  readonly baseVersion: number | null;
  readonly serverVersion: number | null;
  readonly serverData: Record<string, unknown>;
  readonly incomingData: Record<string, unknown>;
  readonly incomingDeleted: boolean;
  readonly fields: readonly string[];
  /** Absent while it waits for a person. */
  readonly resolution?: Resolution;
  readonly batchId: string;
}

/** The `fields` entry of a deletion pushed over a concurrent edit. */
export const DELETED = 'deleted';

/** The conflicts table, in the caller's transaction. */
@Injectable()
export class SyncConflictRecords {
  constructor(private readonly connection: TransactionalConnection) {}

  /** Resources with an open conflict, as `resource:externalId`: few, so read once per batch. */
  async openKeys(ctx: RequestContext): Promise<Set<string>> {
    const rows: { resource: string; external_id: string }[] = await this.connection
      .manager(ctx)
      .query(`SELECT DISTINCT resource, external_id FROM sync_conflicts WHERE status = 'open'`);
    return new Set(rows.map((row) => `${row.resource}:${row.external_id}`));
  }

  /**
   * A resource's open conflicts, and those a person settled that were based on `baseVersion`,
   * newest first.
   */
  async earlier(
    ctx: RequestContext,
    resource: PushableResource,
    externalId: string,
    baseVersion: number | null,
  ): Promise<ConflictRow[]> {
    return this.connection.manager(ctx).query(
      `SELECT * FROM sync_conflicts
        WHERE resource = $1 AND external_id = $2
          AND (status = 'open' OR (resolution IN ('self_hosted_kept', 'platform_kept')
                                   AND base_version IS NOT DISTINCT FROM $3))
        ORDER BY created_at DESC, id DESC`,
      [resource, externalId, baseVersion],
    );
  }

  async insert(ctx: RequestContext, conflict: NewConflict): Promise<string> {
    const id = newId('conflict');
    await this.connection.manager(ctx).query(
      `INSERT INTO sync_conflicts
         (id, resource, external_id, resource_id, policy, base_version, server_version,
          server_data, incoming_data, incoming_deleted, fields, status, resolution, batch_id,
          resolved_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
               CASE WHEN $12 = 'resolved' THEN now() END)`,
      [
        id,
        conflict.resource,
        conflict.externalId,
        conflict.resourceId,
        conflict.policy,
        conflict.baseVersion,
        conflict.serverVersion,
        JSON.stringify(conflict.serverData),
        JSON.stringify(conflict.incomingData),
        conflict.incomingDeleted,
        conflict.fields,
        conflict.resolution ? 'resolved' : 'open',
        conflict.resolution ?? null,
        conflict.batchId,
      ],
    );
    return id;
  }

  /**
   * Settles a resource's open conflicts (but `keep`) as `superseded`: a later push carries the
   * whole resource as the self-hosted side now holds it, so what they recorded is past.
   */
  async supersede(
    ctx: RequestContext,
    resource: PushableResource,
    externalId: string,
    keep?: string,
  ): Promise<void> {
    await this.connection.manager(ctx).query(
      `UPDATE sync_conflicts SET status = 'resolved', resolution = 'superseded', resolved_at = now()
        WHERE resource = $1 AND external_id = $2 AND status = 'open'
          AND id IS DISTINCT FROM $3`,
      [resource, externalId, keep ?? null],
    );
  }
}

/**
 * What earlier conflicts of a resource say about a push that meets the same disagreement again
 * (the self-hosted side keeps its base while a conflict is open, so its next push meets it
 * again): a person's decision settles the same disagreement the same way, and an open conflict
 * that records exactly it is reported again rather than recorded twice.
 */
export class EarlierConflicts {
  private readonly sides = new Map<ConflictRow, { incoming?: Fields; server?: Fields }>();

  constructor(
    private readonly rows: readonly ConflictRow[],
    private readonly handler: SyncHandler,
  ) {}

  /** How a person settled this very disagreement at `path`, if they did. */
  decisionFor(path: FieldPath, incoming: Fields, current: Fields): Decision | undefined {
    const name = pathName(path);
    const settled = this.rows.find(
      (row) =>
        row.status === 'resolved' &&
        !row.incoming_deleted &&
        row.fields.includes(name) &&
        this.same(row, path, incoming, current),
    );
    return settled && decisionOf(settled);
  }

  /** How a person settled a deletion pushed over this very platform resource, if they did. */
  deletionDecision(current: Fields): Decision | undefined {
    const settled = this.rows.find(
      (row) => row.status === 'resolved' && row.incoming_deleted && this.sameServer(row, current),
    );
    return settled && decisionOf(settled);
  }

  /** The open conflict recording exactly this disagreement (these paths, these values). */
  openAbout(
    baseVersion: number | null,
    paths: readonly FieldPath[],
    incoming: Fields | undefined,
    current: Fields,
  ): ConflictRow | undefined {
    const names = paths.map(pathName).sort();
    return this.rows.find(
      (row) =>
        row.status === 'open' &&
        row.base_version === baseVersion &&
        isDeepStrictEqual([...row.fields].sort(), names) &&
        (incoming
          ? !row.incoming_deleted && paths.every((path) => this.same(row, path, incoming, current))
          : row.incoming_deleted && this.sameServer(row, current)),
    );
  }

  private same(row: ConflictRow, path: FieldPath, incoming: Fields, current: Fields): boolean {
    const { shape } = this.handler;
    const then = this.sidesOf(row);
    return (
      then.incoming !== undefined &&
      then.server !== undefined &&
      isDeepStrictEqual(valueAt(then.incoming, path, shape), valueAt(incoming, path, shape)) &&
      isDeepStrictEqual(valueAt(then.server, path, shape), valueAt(current, path, shape))
    );
  }

  private sameServer(row: ConflictRow, current: Fields): boolean {
    const { server } = this.sidesOf(row);
    const { shape } = this.handler;
    return (
      server !== undefined &&
      fieldsToWrite(server, current, shape).length === 0 &&
      fieldsToWrite(current, server, shape).length === 0
    );
  }

  private sidesOf(row: ConflictRow): { incoming?: Fields; server?: Fields } {
    let sides = this.sides.get(row);
    if (!sides) {
      sides = {
        incoming:
          row.incoming_data && !row.incoming_deleted
            ? this.validFields(row.incoming_data)
            : undefined,
        server: row.server_data ? this.handler.fieldsOf(row.server_data) : undefined,
      };
      this.sides.set(row, sides);
    }
    return sides;
  }

  /**
   * What a conflict recorded as pushed, or nothing if it no longer passes today's rules: such a
   * record then matches no push, which is decided afresh.
   */
  private validFields(data: Record<string, unknown>): Fields | undefined {
    try {
      return this.handler.fieldsOf(this.handler.validate(data));
    } catch (error) {
      if (error instanceof DomainError) return undefined;
      throw error;
    }
  }
}

function decisionOf(row: ConflictRow): Decision {
  return row.resolution === 'platform_kept' ? 'current' : 'incoming';
}
