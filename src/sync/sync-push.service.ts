import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { newId } from '../common/ids';
import { RequestContext } from '../common/request-context';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import { EventLog } from '../events/event-log.service';
import { PushBatchDto, PushChangeDto } from './dto/push-batch.dto';
import { changedFields, Comparable, Current, SyncHandlers } from './sync-handlers';
import { SyncLinks } from './sync-links';
import { SyncPolicy } from './sync-policies';
import { SyncPoliciesService } from './sync-policies.service';

/** The most changes one batch may carry; more answers 413. */
export const MAX_BATCH_CHANGES = 500;

export interface ConflictReport {
  readonly id: string;
  readonly policy: SyncPolicy;
  /** How the policy settled it; absent while it waits for a person (`manual`, or unmergeable). */
  readonly resolution?: 'self_hosted_won' | 'platform_won' | 'merged';
  readonly serverVersion: number | null;
  readonly serverData: Record<string, unknown> | null;
  /** The fields both sides changed (all the pushed changes, for a delete or `manual`). */
  readonly fields: string[];
}

export interface PushResult {
  readonly externalId: string;
  readonly status: 'applied' | 'unchanged' | 'conflict' | 'invalid';
  readonly id: string | null;
  readonly version: number | null;
  readonly conflict?: ConflictReport;
  readonly errors?: readonly FieldError[];
}

export interface PushAnswer {
  readonly batchId: string;
  readonly results: PushResult[];
  readonly replayed: boolean;
}

interface Item {
  readonly batchId: string;
  readonly change: PushChangeDto;
}

/** A pushed change to a resource the platform also changed since its base version. */
interface ConcurrentEdit extends Item {
  readonly ctx: RequestContext;
  readonly existing: Current;
  readonly policy: SyncPolicy;
}

/**
 * Applies a batch of changes from a self-hosted store, keyed by its own ids. One transaction per
 * batch; each item in a savepoint, so an invalid item is reported and the others still apply.
 * The batch id is claimed first (a primary key), so a replay, even one racing the original,
 * waits for it and answers its stored results: nothing is applied twice.
 */
@Injectable()
export class SyncPushService {
  constructor(
    readonly connection: TransactionalConnection,
    private readonly events: EventLog,
    private readonly policies: SyncPoliciesService,
    private readonly handlers: SyncHandlers,
    private readonly links: SyncLinks,
  ) {}

  @Transactional()
  async push(ctx: RequestContext, batch: PushBatchDto): Promise<PushAnswer> {
    if (batch.changes.length > MAX_BATCH_CHANGES)
      throw new DomainError(
        'payload_too_large',
        `A batch carries at most ${MAX_BATCH_CHANGES} changes; this one has ${batch.changes.length}. Split it.`,
      );
    const manager = this.connection.manager(ctx);
    const hash = createHash('sha256').update(JSON.stringify(batch)).digest();
    const claimed: unknown[] = await manager.query(
      `INSERT INTO sync_batches (batch_id, request_hash, results) VALUES ($1, $2, '[]')
       ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id`,
      [batch.batchId, hash],
    );
    if (claimed.length === 0) return this.replay(manager, batch.batchId, hash);
    const policies = await this.policies.current(ctx);
    const results: PushResult[] = [];
    for (const change of batch.changes) {
      results.push(await this.applyItem(ctx, { batchId: batch.batchId, change }, policies));
    }
    await manager.query('UPDATE sync_batches SET results = $2 WHERE batch_id = $1', [
      batch.batchId,
      JSON.stringify(results),
    ]);
    return { batchId: batch.batchId, results, replayed: false };
  }

  private async replay(manager: EntityManager, batchId: string, hash: Buffer): Promise<PushAnswer> {
    const [stored]: { request_hash: Buffer; results: PushResult[] }[] = await manager.query(
      'SELECT request_hash, results FROM sync_batches WHERE batch_id = $1',
      [batchId],
    );
    if (!stored.request_hash.equals(hash))
      throw new DomainError(
        'batch_id_reused',
        'This batchId was used for a different batch; a batch id names one batch for good.',
      );
    return { batchId, results: stored.results, replayed: true };
  }

  /** One item in its own savepoint: its failure undoes its writes and events, nothing else. */
  private async applyItem(
    ctx: RequestContext,
    item: Item,
    policies: Record<string, SyncPolicy>,
  ): Promise<PushResult> {
    const { change } = item;
    try {
      return await this.events.savepoint(ctx, () => this.apply(ctx, item, policies));
    } catch (error) {
      if (!(error instanceof DomainError) || error.status >= 500 || error.code === 'conflict')
        throw error;
      return {
        externalId: change.externalId,
        status: 'invalid',
        id: null,
        version: null,
        errors: error.details.errors?.length
          ? error.details.errors.map((e) => ({ ...e, path: prefixed(e.path) }))
          : [{ path: 'data', code: error.code, message: error.message }],
      };
    }
  }

  private async apply(
    ctx: RequestContext,
    { batchId, change }: Item,
    policies: Record<string, SyncPolicy>,
  ): Promise<PushResult> {
    const handler = this.handlers.of(change.resource);
    const fields = change.deleted ? undefined : handler.validate(change.data);
    const linkedId = await this.links.find(ctx, change.resource, change.externalId);
    const existing = await handler.find(ctx, change.externalId, linkedId);
    const result = (status: PushResult['status'], at?: { id: string; version: number | null }) => ({
      externalId: change.externalId,
      status,
      id: at?.id ?? null,
      version: at?.version ?? null,
    });
    if (!existing) {
      if (change.deleted) return result('unchanged');
      if (change.resource === 'inventory')
        throw DomainError.notFound('variant with this SKU', 'externalId');
      const created = await handler.create(ctx, change.data);
      await this.links.set(ctx, change.resource, change.externalId, created.id);
      return result('applied', created);
    }
    // Stock levels follow the self-hosted side whatever happened here (CONTRACT.md).
    const concurrent = change.resource !== 'inventory' && change.baseVersion !== existing.version;
    const edit: ConcurrentEdit = {
      ctx,
      batchId,
      change,
      existing,
      policy: policies[change.resource] ?? 'self_hosted_wins',
    };
    if (change.deleted) {
      if (concurrent && edit.policy !== 'self_hosted_wins') return this.conflict(edit, ['deleted']);
      await handler.remove(ctx, existing);
      return result('applied', { id: existing.id, version: null });
    }
    const changed = changedFields(fields!, existing.fields);
    if (changed.length === 0) return result('unchanged', existing);
    if (!concurrent)
      return result('applied', await handler.update(ctx, existing, pick(fields!, changed)));
    switch (edit.policy) {
      case 'self_hosted_wins':
        return this.applyOver(edit, fields!, changed, 'self_hosted_won');
      case 'platform_wins':
        return this.conflict(edit, changed, 'platform_won');
      case 'merge': {
        const base =
          change.baseVersion === null
            ? undefined
            : await handler.fieldsAt(ctx, existing.id, change.baseVersion);
        if (!base) return this.conflict(edit, changed);
        const ours = changedFields(fields!, base).filter((field) => changed.includes(field));
        const theirs = new Set(changedFields(existing.fields, base));
        const both = ours.filter((field) => theirs.has(field));
        if (both.length > 0) return this.conflict(edit, both);
        if (ours.length === 0) return result('unchanged', existing);
        return this.applyOver(edit, fields!, ours, 'merged');
      }
      case 'manual':
        return this.conflict(edit, changed);
    }
  }

  /** Writes the pushed fields over a concurrent edit, as the policy settled it, and records so. */
  private async applyOver(
    edit: ConcurrentEdit,
    fields: Comparable,
    names: string[],
    resolution: 'self_hosted_won' | 'merged',
  ): Promise<PushResult> {
    const { ctx, change, existing } = edit;
    const written = await this.handlers
      .of(change.resource)
      .update(ctx, existing, pick(fields, names));
    return {
      externalId: change.externalId,
      status: 'applied',
      id: written.id,
      version: written.version,
      conflict: await this.record(edit, names, resolution),
    };
  }

  /**
   * A conflict the push did not apply: reported, and recorded, settled (`platform_won`) or
   * open until someone resolves it.
   */
  private async conflict(
    edit: ConcurrentEdit,
    fields: string[],
    resolution?: 'platform_won',
  ): Promise<PushResult> {
    return {
      externalId: edit.change.externalId,
      status: 'conflict',
      id: edit.existing.id,
      version: edit.existing.version,
      conflict: await this.record(edit, fields, resolution),
    };
  }

  private async record(
    { ctx, batchId, change, existing, policy }: ConcurrentEdit,
    fields: string[],
    resolution: ConflictReport['resolution'],
  ): Promise<ConflictReport> {
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
        change.resource,
        change.externalId,
        existing.id,
        policy,
        change.baseVersion,
        existing.version,
        JSON.stringify(existing.data),
        JSON.stringify(change.data),
        change.deleted ?? false,
        fields,
        resolution ? 'resolved' : 'open',
        resolution ?? null,
        batchId,
      ],
    );
    return {
      id,
      policy,
      ...(resolution ? { resolution } : {}),
      serverVersion: existing.version,
      serverData: existing.data,
      fields,
    };
  }
}

function pick(fields: Comparable, names: readonly string[]): Comparable {
  return Object.fromEntries(names.map((name) => [name, fields[name]]));
}

function prefixed(path: string): string {
  return path === '' ? 'data' : `data.${path}`;
}
