import { Injectable } from '@nestjs/common';
import {
  DataSource,
  EntityManager,
  EntityTarget,
  FindOptionsWhere,
  ObjectLiteral,
  QueryRunner,
  Repository,
} from 'typeorm';
import type { PoolClient, QueryResult } from 'pg';
import { invalidCredential } from '../common/errors/credential-errors';
import { DomainError } from '../common/errors/domain-error';
import { versionConflict } from '../common/http/if-match.decorator';
import { IdPrefix, isAnyId, isId } from '../common/ids';
import { RequestContext, revocableCredentialId } from '../common/request-context';
import type { DatabaseLimits } from '../config/config';
import {
  busyError,
  DatabaseFault,
  DatabaseFaultListener,
  isPoolTimeout,
  timeoutFault,
} from './database-faults';
import type { ReadReplicas } from './read-replicas';
import { BulkheadFull, StoreBulkhead } from './store-bulkhead';
import { storeSchemaName } from './store-schema';

export interface TransactionOptions {
  /**
   * The transaction only reads: it runs as READ ONLY (PostgreSQL refuses any write) and its
   * caller is answered without waiting for COMMIT, which saves a round trip per read request.
   */
  readonly readOnly?: boolean;
  /**
   * Overrides the `statement_timeout` of the limits for this transaction: for bulk work (the
   * retention job's deletes) that legitimately runs longer than any request may.
   */
  readonly statementTimeoutMs?: number;
}

/** Without configuration (the bench's bare server): no compartments, PostgreSQL's own timeouts off. */
const UNLIMITED: DatabaseLimits = {
  poolWaitMs: 5000,
  statementTimeoutMs: 0,
  lockTimeoutMs: 0,
  connectionsPerStore: Number.MAX_SAFE_INTEGER,
  storeQueueWaitMs: 0,
  storeQueueLength: 0,
};

/** How `getEntityOrThrow` finds a resource and what it checks. */
export interface EntityLookup<Entity> {
  /** The id's type prefix (`prod`): an id of another form is not found, without a query. */
  readonly prefix: IdPrefix;
  /** The resource as the 404 names it (`No such product.`). */
  readonly name: string;
  /** Lock the row until the transaction ends (`FOR UPDATE`), to change it. */
  readonly lock?: boolean;
  /** The version the client read (If-Match, GraphQL `expectedVersion`); another is a 412. */
  readonly expectedVersion?: number;
  /** Further conditions, such as the store of a row in a platform table. */
  readonly where?: FindOptionsWhere<Entity>;
}

interface OpenTransaction {
  readonly manager: EntityManager;
  /** Keyed, so a participant (the event log) registers its flush once per transaction. */
  readonly beforeCommit: Map<string, () => Promise<void>>;
  readonly afterCommit: (() => void | Promise<void>)[];
}

/**
 * Binds a database transaction to a request context. A store context's transaction sees only its
 * store's schema: `search_path` is set with `set_config(…, true)`, which lasts until the end of
 * the transaction, so it never leaks to the next user of a pooled connection and works behind
 * PgBouncer in transaction mode. A service method joins the transaction its context is bound to;
 * a context with none gets a transaction bound to a copy of it (`run`), never to itself.
 *
 * One store cannot take the database from the others: its transactions enter the store's
 * compartment of the pool (StoreBulkhead) before taking a connection, and every transaction runs
 * with a `statement_timeout` and a `lock_timeout`, so a locked table or a crawling query holds a
 * bounded number of connections for a bounded time. What cannot be served in time answers
 * `503 service_busy` with `Retry-After`, and the listener counts and logs it.
 */
@Injectable()
export class TransactionalConnection {
  private readonly open = new WeakMap<RequestContext, OpenTransaction>();
  private readonly revokedCredentials: ((credentialId: string) => void)[] = [];
  private readonly bulkhead: StoreBulkhead | undefined;

  constructor(
    readonly dataSource: DataSource,
    private readonly limits: DatabaseLimits = UNLIMITED,
    private readonly onFault: DatabaseFaultListener = () => undefined,
    private readonly replicas?: ReadReplicas,
  ) {
    this.bulkhead =
      limits.connectionsPerStore === UNLIMITED.connectionsPerStore
        ? undefined
        : new StoreBulkhead({
            connectionsPerStore: limits.connectionsPerStore,
            queuePerStore: limits.storeQueueLength,
            waitMs: limits.storeQueueWaitMs,
          });
  }

  /**
   * Runs `work` in the transaction of `ctx`: the one `ctx` is bound to, or else a new one bound
   * to a copy of `ctx`, which `work` receives. Only calls made with that copy join it, so two
   * concurrent calls sharing one context (parallel GraphQL root fields, a DataLoader batch beside
   * a mutation) each get their own transaction, and neither can join the other's, let alone
   * after it committed. `work` must use the context it is given, never the outer one (as with
   * Vendure's `withTransaction`).
   */
  async run<T>(
    ctx: RequestContext,
    work: (manager: EntityManager, ctx: RequestContext) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    const current = this.open.get(ctx);
    if (current) return work(current.manager, ctx);
    return this.onReplicaOrPrimary(ctx, Boolean(options.readOnly), (source) =>
      this.runOn(source, ctx, work, options),
    );
  }

  /**
   * A read a replica may serve (ReadReplicas.pick) runs there; if the replica fails it (its
   * connection refused or lost, a recovery conflict) the read runs again on the primary, so no
   * request fails because a replica did. Everything else runs on the primary.
   */
  private async onReplicaOrPrimary<T>(
    ctx: RequestContext,
    readOnly: boolean,
    attempt: (source: DataSource) => Promise<T>,
  ): Promise<T> {
    const replica = readOnly ? this.replicas?.pick(ctx) : undefined;
    if (replica) {
      try {
        return await attempt(replica.dataSource);
      } catch (error) {
        if (!isReplicaFailure(error)) throw error;
        this.replicas?.failed(replica.name);
      }
    }
    return attempt(this.dataSource);
  }

  private async runOn<T>(
    source: DataSource,
    ctx: RequestContext,
    work: (manager: EntityManager, ctx: RequestContext) => Promise<T>,
    options: TransactionOptions,
  ): Promise<T> {
    const bound = ctx.copy();
    const { runner, client, release } = await this.connect(ctx, source);
    const afterCommit: OpenTransaction['afterCommit'] = [];
    const beforeCommit: OpenTransaction['beforeCommit'] = new Map();
    let result: T;
    try {
      await this.begin(runner, client, bound, options);
      // TypeORM must see the transaction as ours, or `save()` would open (and commit) its own.
      (runner as { isTransactionActive: boolean }).isTransactionActive = true;
      this.open.set(bound, { manager: runner.manager, beforeCommit, afterCommit });
      result = await work(runner.manager, bound);
      for (const flush of beforeCommit.values()) await flush();
    } catch (error) {
      this.open.delete(bound);
      await this.send(runner, 'ROLLBACK').catch(() => undefined);
      await release();
      throw this.timeoutFault(error, ctx);
    }
    this.open.delete(bound);
    if (options.readOnly) {
      // Nothing to make durable: answer now and let COMMIT return the connection afterwards.
      void this.send(runner, 'COMMIT')
        .catch(() => undefined)
        .finally(() => release());
      return result;
    }
    try {
      await this.send(runner, 'COMMIT');
      // Where this store's reads must have replayed to, before a replica may serve them.
      await this.replicas?.recordWrite(ctx.storeId, client);
    } catch (error) {
      throw this.timeoutFault(error, ctx);
    } finally {
      await release();
    }
    for (const callback of afterCommit) await callback();
    return result;
  }

  /** A connection of the context's store's compartment, and how to give both back. */
  private async connect(ctx: RequestContext, source: DataSource = this.dataSource) {
    const leave = await this.enterCompartment(ctx);
    const runner = source.createQueryRunner();
    let client: PoolClient;
    try {
      client = (await runner.connect()) as PoolClient;
    } catch (error) {
      leave();
      throw this.poolFault(error, ctx);
    }
    const release = async () => {
      try {
        await runner.release();
      } finally {
        leave();
      }
    };
    return { runner, client, release };
  }

  /** Waits for a connection of the context's store's compartment; platform work has none. */
  private async enterCompartment(ctx: RequestContext): Promise<() => void> {
    if (!this.bulkhead || !ctx.storeId) return () => undefined;
    try {
      return await this.bulkhead.enter(ctx.storeId);
    } catch (error) {
      if (error instanceof BulkheadFull) throw this.refuse(error.refusal, ctx);
      throw error;
    }
  }

  /**
   * pg-pool says the same "timeout exceeded" whether every connection was in use or the server
   * did not accept a new one in time: a full pool is busy, anything else is unreachable.
   */
  private poolFault(error: unknown, ctx: RequestContext): unknown {
    if (!isPoolTimeout(error)) return error;
    const pool = (this.dataSource.driver as unknown as { master?: PoolFigures }).master;
    return pool && pool.totalCount >= pool.options.max ? this.refuse('pool_timeout', ctx) : error;
  }

  private timeoutFault(error: unknown, ctx: RequestContext): unknown {
    const fault = timeoutFault(error);
    return fault ? this.refuse(fault, ctx) : error;
  }

  private refuse(fault: DatabaseFault, ctx: RequestContext): Error {
    this.onFault(fault, ctx.storeId);
    return busyError(fault);
  }

  /**
   * A statement sent on the runner's raw client (the simple query protocol, several statements in
   * one message), reported to TypeORM's logger with its runner, like the statements TypeORM sends.
   */
  private send(runner: QueryRunner, sql: string): Promise<QueryResult> {
    this.dataSource.logger.logQuery(sql, undefined, runner);
    return (runner as unknown as { databaseConnection: PoolClient }).databaseConnection.query(sql);
  }

  /**
   * Opens the transaction, selects the store's schema for it and, for an API key or an OAuth
   * access token, re-checks that the credential is still valid, all in one round trip (the simple
   * query protocol runs the statements in one message).
   */
  private async begin(
    runner: QueryRunner,
    client: PoolClient,
    ctx: RequestContext,
    options: TransactionOptions,
  ): Promise<void> {
    const setup = this.setup(client, ctx, options);
    const begin = options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN';
    const results = (await this.send(runner, `${begin}; ${setup.sql}`)) as unknown as QueryResult[];
    this.assertActive(setup.credentialId, results[1]);
  }

  /**
   * One read statement, when `ctx` has no transaction open (else it runs in that one), in a single
   * round trip with what a transaction's opening does: the simple query protocol runs the setup,
   * the credential check and the read as one implicit transaction, so the read sees the store's
   * schema, the limits hold, and nothing outlives it. A miss of a product by id was three round
   * trips otherwise (the opening, the read, COMMIT), each holding a connection of the store's
   * compartment. That protocol takes no parameters, so `$1`… are written as literals: they must
   * be ids (the id grammar, checked), and are escaped besides, as `setup` writes the credential's.
   */
  async readOnce<Row>(ctx: RequestContext, sql: string, ids: readonly string[]): Promise<Row[]> {
    const current = this.open.get(ctx);
    if (current) return current.manager.query(sql, [...ids]);
    if (!ids.every(isAnyId))
      throw new Error('readOnce writes its values into the SQL: they must be ids');
    return this.onReplicaOrPrimary(ctx, true, (source) => this.readOnceOn(source, ctx, sql, ids));
  }

  private async readOnceOn<Row>(
    source: DataSource,
    ctx: RequestContext,
    sql: string,
    ids: readonly string[],
  ): Promise<Row[]> {
    const { runner, client, release } = await this.connect(ctx, source);
    try {
      // No BEGIN READ ONLY to say it: the implicit transaction is made read-only by its setup.
      const setup = this.setup(client, ctx, { readOnly: true }, true);
      const read = sql.replace(/\$(\d+)/g, (_, n: string) =>
        client.escapeLiteral(ids[Number(n) - 1]),
      );
      const results = (await this.send(
        runner,
        `${setup.sql}; ${read}`,
      )) as unknown as QueryResult[];
      this.assertActive(setup.credentialId, results[0]);
      return results[1].rows as Row[];
    } catch (error) {
      throw this.timeoutFault(error, ctx);
    } finally {
      await release();
    }
  }

  /**
   * What opens every transaction of `ctx`, as one statement: its schema on the search path, the
   * limits, read-only when asked of an implicit transaction (BEGIN says it otherwise), and for an API key or an OAuth access token the check that it is
   * still valid (`active`). The simple query protocol takes no parameters, so the two values are
   * written into the SQL: both are ids checked against the id grammar (`[a-z]+_` and 26 base32
   * characters) first, and escaped as literals besides. Nothing a client sends reaches this text.
   */
  private setup(
    client: PoolClient,
    ctx: RequestContext,
    options: TransactionOptions,
    implicit = false,
  ): { readonly sql: string; readonly credentialId?: string } {
    // Platform contexts get the platform schema on their path, so store tables are unreachable.
    const schema = ctx.storeId ? storeSchemaName(ctx.storeId) : 'platform';
    // Integers from the configuration, written as literals for the simple query protocol.
    const statementTimeout = Math.trunc(
      options.statementTimeoutMs ?? this.limits.statementTimeoutMs,
    );
    const lockTimeout = Math.trunc(this.limits.lockTimeoutMs);
    const setPath =
      `SELECT set_config('search_path', ${client.escapeLiteral(schema)}, true), ` +
      `set_config('statement_timeout', '${statementTimeout}', true), ` +
      `set_config('lock_timeout', '${lockTimeout}', true)` +
      (implicit && options.readOnly ? `, set_config('transaction_read_only', 'on', true)` : '');
    const credentialId = revocableCredentialId(ctx.actor);
    if (credentialId === undefined) return { sql: setPath };
    const check = isId(credentialId, 'key')
      ? 'platform.api_key_active'
      : isId(credentialId, 'tok')
        ? 'platform.oauth_token_active'
        : undefined;
    if (!check) throw invalidCredential();
    return {
      sql: `${setPath}, ${check}(${client.escapeLiteral(credentialId)}) AS active`,
      credentialId,
    };
  }

  private assertActive(credentialId: string | undefined, result: QueryResult | undefined): void {
    if (credentialId === undefined) return;
    if ((result?.rows[0] as { active?: boolean } | undefined)?.active) return;
    this.reportRevoked(credentialId);
    throw invalidCredential();
  }

  /**
   * For a read answered without a transaction of its own (a response-cache hit): the check every
   * transaction makes, that the API key or access token is still valid, in the same one round trip
   * with the same limits and faults. Until revocations reach every instance's credential cache
   * directly, this is what keeps a revoked credential from reading cached answers.
   */
  async verifyCredential(ctx: RequestContext): Promise<void> {
    if (revocableCredentialId(ctx.actor) === undefined) return;
    await this.run(ctx, async () => undefined, { readOnly: true });
  }

  /** Called with a credential id found revoked, so caches can forget it. */
  onRevokedCredential(listener: (credentialId: string) => void): void {
    this.revokedCredentials.push(listener);
  }

  /** A credential found revoked outside a transaction (CredentialFreshness). */
  reportRevoked(credentialId: string): void {
    this.revokedCredentials.forEach((listener) => listener(credentialId));
  }

  /** The manager of the transaction open for this context; calling it outside one is a bug. */
  manager(ctx: RequestContext): EntityManager {
    const current = this.open.get(ctx);
    if (!current)
      throw new Error('No transaction is open for this request context; use @Transactional()');
    return current.manager;
  }

  repository<Entity extends ObjectLiteral>(
    ctx: RequestContext,
    entity: EntityTarget<Entity>,
  ): Repository<Entity> {
    return this.manager(ctx).getRepository(entity);
  }

  /**
   * The one way to load a resource by the id a client gave, in the context's transaction (and so
   * its store): an id of the wrong form and a row that is not there (another store's included)
   * are both `not_found`; with `lock` the row stays locked until the transaction ends, so a
   * version checked here cannot change before the write; a stale `expectedVersion` is
   * `version_conflict` with the current version.
   */
  async getEntityOrThrow<Entity extends { id: string; version: number }>(
    ctx: RequestContext,
    entity: EntityTarget<Entity>,
    id: string,
    lookup: EntityLookup<Entity>,
  ): Promise<Entity> {
    const found = isId(id, lookup.prefix)
      ? await this.repository(ctx, entity).findOne({
          where: { ...lookup.where, id } as FindOptionsWhere<Entity>,
          ...(lookup.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
        })
      : null;
    if (!found) throw DomainError.notFound(lookup.name);
    if (lookup.expectedVersion !== undefined && lookup.expectedVersion !== found.version)
      throw versionConflict(found.version);
    return found;
  }

  /**
   * Runs once, as the last work of the context's transaction, before COMMIT: for writes that must
   * come last, such as taking the store's event sequence, whose row lock is then held only briefly.
   */
  beforeCommit(ctx: RequestContext, key: string, callback: () => Promise<void>): void {
    const current = this.open.get(ctx);
    if (!current) throw new Error('No transaction is open for this request context');
    if (!current.beforeCommit.has(key)) current.beforeCommit.set(key, callback);
  }

  /** Runs once the context's transaction has committed (never if it rolls back). */
  afterCommit(ctx: RequestContext, callback: () => void | Promise<void>): void {
    const current = this.open.get(ctx);
    if (!current) throw new Error('No transaction is open for this request context');
    current.afterCommit.push(callback);
  }
}

interface PoolFigures {
  readonly totalCount: number;
  readonly options: { readonly max: number };
}

/**
 * Declares that a service method runs in the transaction of its first argument, the request
 * context, joining the one that context is bound to or starting one for the context's store; the
 * method then receives the context bound to it, and hands that on to the services it calls.
 */
export function Transactional(options: TransactionOptions = {}) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any method whose first argument is the context
  return function <M extends (ctx: RequestContext, ...args: any[]) => Promise<unknown>>(
    _target: { readonly connection: TransactionalConnection },
    _name: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void {
    const method = descriptor.value!;
    descriptor.value = function (
      this: { readonly connection: TransactionalConnection },
      ctx: RequestContext,
      ...args: unknown[]
    ) {
      return this.connection.run(
        ctx,
        (_manager, bound) => method.call(this, bound, ...args),
        options,
      );
    } as M;
  };
}

/**
 * A failure of the replica itself, after which a read is worth its retry on the primary: no SQL
 * state (the socket refused or ended), a connection exception (08…), the server shutting down or
 * not accepting connections (57P…), or a recovery conflict (40001). Not a domain error (a product
 * not found) nor a timeout, which the primary would meet too.
 */
function isReplicaFailure(error: unknown): boolean {
  if (error instanceof DomainError) return false;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return code.startsWith('08') || code.startsWith('57P') || code === '40001';
}
