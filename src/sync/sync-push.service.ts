import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { RequestContext } from '../common/request-context';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import { EventLog } from '../events/event-log.service';
import { PushBatchDto, PushChangeDto } from './dto/push-batch.dto';
import {
  ConflictRow,
  DELETED,
  EarlierConflicts,
  SyncConflictRecords,
} from './sync-conflict-records';
import { Current, SyncHandler, SyncHandlers } from './sync-handlers';
import { SyncLinks } from './sync-links';
import { policyDecision, SyncPolicy } from './sync-policies';
import { SyncPoliciesService } from './sync-policies.service';
import { Fields, fieldsToWrite, pathName, threeWayMerge } from './three-way-merge';

/** The most changes one batch may carry; more answers 413. */
export const MAX_BATCH_CHANGES = 500;

export interface ConflictReport {
  readonly id: string;
  readonly policy: SyncPolicy;
  /** How it was settled; absent while it waits for a person. */
  readonly resolution?: 'self_hosted_won' | 'platform_won' | 'merged';
  /** The platform's resource as the push found it. */
  readonly serverVersion: number | null;
  readonly serverData: Record<string, unknown> | null;
  /**
   * The fields both sides changed, differently, since the base: those waiting for a person
   * while it is open, else those the policy decided (none when the edits were disjoint).
   * `deleted` for a deletion over an edit; every differing field when the base is unknown.
   */
  readonly fields: string[];
}

export interface PushResult {
  readonly externalId: string;
  readonly status: 'applied' | 'unchanged' | 'conflict' | 'invalid';
  readonly id: string | null;
  readonly version: number | null;
  readonly conflict?: ConflictReport;
  /**
   * After a concurrent edit, the resource as the platform now holds it (as REST returns it):
   * the platform's own changes that the merge kept, for the self-hosted side to take over.
   */
  readonly data?: Record<string, unknown>;
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

/** A pushed change to a resource the platform holds, and what is known of its history. */
interface Edit extends Item {
  readonly ctx: RequestContext;
  readonly handler: SyncHandler;
  readonly existing: Current;
  readonly policy: SyncPolicy;
  /** The platform changed it since the push's base version. */
  readonly concurrent: boolean;
  /** Both sides' fields at the base version; undefined when that version is unknown. */
  readonly base: Fields | undefined;
  readonly earlier: EarlierConflicts;
}

/**
 * Applies a batch of changes from a self-hosted store, keyed by its own ids. One transaction per
 * batch; each item in a savepoint, so an invalid item is reported and the others still apply.
 * The batch id is claimed first (a primary key), so a replay, even one racing the original,
 * waits for it and answers its stored results: nothing is applied twice.
 *
 * A change to a resource the platform also changed since the push's `baseVersion` is merged
 * three ways against that version (from the event log): what only one side changed keeps that
 * side's value, and the store's policy decides only what both changed (CONTRACT.md). With the
 * base unknown (no `baseVersion`, or its event past retention) nothing is guessed: every
 * difference waits for a person.
 */
@Injectable()
export class SyncPushService {
  constructor(
    readonly connection: TransactionalConnection,
    private readonly events: EventLog,
    private readonly policies: SyncPoliciesService,
    private readonly handlers: SyncHandlers,
    private readonly links: SyncLinks,
    private readonly conflicts: SyncConflictRecords,
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
    const open = await this.conflicts.openKeys(ctx);
    const results: PushResult[] = [];
    for (const change of batch.changes) {
      results.push(await this.applyItem(ctx, { batchId: batch.batchId, change }, policies, open));
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

  /**
   * One item in its own savepoint: its failure undoes its writes and events, nothing else. A
   * write of the platform's own (REST, GraphQL) that commits between reading the resource and
   * writing the merge over it is caught by the version check; the item is merged again with it.
   */
  private async applyItem(
    ctx: RequestContext,
    item: Item,
    policies: Record<string, SyncPolicy>,
    open: ReadonlySet<string>,
  ): Promise<PushResult> {
    const { change } = item;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.events.savepoint(ctx, () => this.apply(ctx, item, policies, open));
      } catch (error) {
        if (!(error instanceof DomainError) || error.status >= 500 || error.code === 'conflict')
          throw error;
        if (error.code === 'version_conflict' && attempt === 1) continue;
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
  }

  private async apply(
    ctx: RequestContext,
    { batchId, change }: Item,
    policies: Record<string, SyncPolicy>,
    open: ReadonlySet<string>,
  ): Promise<PushResult> {
    const handler = this.handlers.of(change.resource);
    const body = change.deleted ? undefined : handler.validate(change.data);
    const linkedId = await this.links.find(ctx, change.resource, change.externalId);
    const existing = await handler.find(ctx, change.externalId, linkedId);
    if (!existing) {
      if (change.deleted) return result(change, 'unchanged');
      if (change.resource === 'inventory')
        throw DomainError.notFound('variant with this SKU', 'externalId');
      const created = await handler.create(ctx, body!);
      await this.links.set(ctx, change.resource, change.externalId, created.id);
      return result(change, 'applied', created);
    }
    // Stock levels follow the self-hosted side whatever happened here (CONTRACT.md).
    const concurrent = change.resource !== 'inventory' && change.baseVersion !== existing.version;
    const withConflicts = concurrent || open.has(`${change.resource}:${change.externalId}`);
    const edit: Edit = {
      ctx,
      batchId,
      change,
      handler,
      existing,
      policy: policies[change.resource] ?? 'self_hosted_wins',
      concurrent,
      base: !concurrent
        ? existing.fields
        : change.baseVersion === null
          ? undefined
          : await handler.fieldsAt(ctx, existing.id, change.baseVersion),
      earlier: new EarlierConflicts(
        withConflicts
          ? await this.conflicts.earlier(
              ctx,
              change.resource,
              change.externalId,
              change.baseVersion,
            )
          : [],
        handler,
      ),
    };
    if (withConflicts && !concurrent)
      await this.conflicts.supersede(ctx, change.resource, change.externalId);
    return change.deleted ? this.remove(edit) : this.merge(edit, body!);
  }

  private async merge(edit: Edit, body: Record<string, unknown>): Promise<PushResult> {
    const { ctx, change, handler, existing, base, earlier } = edit;
    const incoming = handler.fieldsOf(body);
    const merge = threeWayMerge(
      { base, incoming, current: existing.fields },
      handler.shape,
      (path, combinable) => {
        const decision = base === undefined ? 'open' : policyDecision(edit.policy, combinable);
        if (decision !== 'open') return decision;
        return earlier.decisionFor(path, incoming, existing.fields) ?? 'open';
      },
    );
    const writes = fieldsToWrite(merge.merged, existing.fields, handler.shape);
    const written =
      writes.length > 0
        ? await handler.update(ctx, existing, pick(merge.merged, writes), body)
        : existing;
    const status = writes.length > 0 ? 'applied' : 'unchanged';
    if (!edit.concurrent) return result(change, status, written);
    const ours = merge.incomingOnly.length + merge.both.length;
    const theirs = merge.currentOnly.length + merge.both.length;
    // One side alone changed something: nothing to record, but the pusher learns the result.
    if (ours === 0 || theirs === 0) {
      await this.conflicts.supersede(ctx, change.resource, change.externalId);
      return { ...result(change, status, written), data: written.data };
    }
    const waiting = merge.both.filter((each) => each.decision === 'open');
    const platformKept = merge.both.some((each) => each.decision === 'current');
    const resolution = waiting.length
      ? undefined
      : platformKept
        ? 'platform_won'
        : merge.both.some((each) => each.decision === 'incoming')
          ? 'self_hosted_won'
          : 'merged';
    const reported = (waiting.length > 0 ? waiting : merge.both).map((each) => each.path);
    const again =
      waiting.length > 0
        ? earlier.openAbout(change.baseVersion, reported, incoming, existing.fields)
        : undefined;
    return {
      ...result(change, waiting.length > 0 || platformKept ? 'conflict' : 'applied', written),
      conflict: await this.record(edit, reported.map(pathName), resolution, again),
      data: written.data,
    };
  }

  /**
   * A deletion over a concurrent edit deletes under `self_hosted_wins` only: under the other
   * policies the platform would go on listing what the store took off (or lose what it
   * edited), so a person decides, unless they did for this very edit before.
   */
  private async remove(edit: Edit): Promise<PushResult> {
    const { ctx, change, handler, existing, base } = edit;
    const platformChanged =
      base === undefined || fieldsToWrite(existing.fields, base, handler.shape).length > 0;
    const decision =
      !edit.concurrent || !platformChanged
        ? 'incoming'
        : base !== undefined && edit.policy === 'self_hosted_wins'
          ? 'incoming'
          : (edit.earlier.deletionDecision(existing.fields) ?? 'open');
    if (decision === 'incoming') {
      await handler.remove(ctx, existing);
      return {
        ...result(change, 'applied', { id: existing.id, version: null }),
        ...(edit.concurrent && platformChanged
          ? { conflict: await this.record(edit, [DELETED], 'self_hosted_won') }
          : {}),
      };
    }
    const again =
      decision === 'open'
        ? edit.earlier.openAbout(change.baseVersion, [[DELETED]], undefined, existing.fields)
        : undefined;
    return {
      ...result(change, 'conflict', existing),
      conflict: await this.record(
        edit,
        [DELETED],
        decision === 'current' ? 'platform_won' : undefined,
        again,
      ),
      data: existing.data,
    };
  }

  /**
   * Records how a concurrent edit went (settled, or open until someone resolves it), so nothing
   * is lost silently; earlier open conflicts of the resource are superseded by it, except the
   * one that records this very disagreement already (`again`), which is reported again.
   */
  private async record(
    { ctx, batchId, change, existing, policy }: Edit,
    fields: string[],
    resolution: ConflictReport['resolution'],
    again?: ConflictRow,
  ): Promise<ConflictReport> {
    await this.conflicts.supersede(ctx, change.resource, change.externalId, again?.id);
    if (again)
      return {
        id: again.id,
        policy: again.policy,
        serverVersion: again.server_version,
        serverData: again.server_data,
        fields: again.fields,
      };
    const id = await this.conflicts.insert(ctx, {
      resource: change.resource,
      externalId: change.externalId,
      resourceId: existing.id,
      policy,
      baseVersion: change.baseVersion,
      serverVersion: existing.version,
      serverData: existing.data,
      incomingData: change.data,
      incomingDeleted: change.deleted ?? false,
      fields,
      resolution,
      batchId,
    });
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

function result(
  change: PushChangeDto,
  status: PushResult['status'],
  at?: { id: string; version: number | null },
): PushResult {
  return {
    externalId: change.externalId,
    status,
    id: at?.id ?? null,
    version: at?.version ?? null,
  };
}

function pick(fields: Fields, names: readonly string[]): Fields {
  return Object.fromEntries(names.map((name) => [name, fields[name]]));
}

function prefixed(path: string): string {
  return path === '' ? 'data' : `data.${path}`;
}
