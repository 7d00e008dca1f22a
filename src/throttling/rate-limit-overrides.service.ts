import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { DataSource } from 'typeorm';
import { RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import type { BucketLimit } from './token-bucket';

/**
 * How long an instance keeps a credential's limits: a change made through another instance
 * applies here within this time (the instance that made it forgets its copy at once).
 */
export const OVERRIDE_CACHE_TTL_MS = 30_000;

/** The limits a credential's requests are counted against. */
export interface RateLimits {
  readonly rest: BucketLimit;
  readonly graphql: BucketLimit;
}

/** What to change: a limit left out stays, `null` returns it to the default. */
export interface RateLimitChange {
  readonly rest?: BucketLimit | null;
  readonly graphql?: BucketLimit | null;
}

interface OverrideRow {
  credential_id: string;
  rest_bucket: number | null;
  rest_refill_per_second: number | null;
  graphql_bucket: number | null;
  graphql_refill_per_second: number | null;
}

const COLUMNS =
  'credential_id, rest_bucket, rest_refill_per_second, graphql_bucket, graphql_refill_per_second';

/**
 * Per-credential rate limits set by the platform admin over the RATE_LIMIT_* and GRAPHQL_COST_*
 * defaults, for API keys and OAuth apps alike (keyed by credential id).
 */
@Injectable()
export class RateLimitOverrides {
  private readonly defaults: RateLimits;
  private readonly cache = new LRUCache<string, RateLimits>({
    max: 10_000,
    ttl: OVERRIDE_CACHE_TTL_MS,
    // Concurrent first requests of one credential share one lookup. A failed lookup is not
    // cached: the request then counts against the defaults, and its own transaction will report
    // the database's state, rather than the throttle failing it first.
    fetchMethod: (credentialId) => this.load(credentialId).catch(() => undefined),
  });

  constructor(
    readonly connection: TransactionalConnection,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.defaults = { rest: config.rateLimit, graphql: config.graphqlCost };
  }

  /** The credential's limits, on every request: from this instance's cache once looked up. */
  async get(credentialId: string): Promise<RateLimits> {
    return (await this.cache.fetch(credentialId)) ?? this.defaults;
  }

  /**
   * As `get`, without a wait once this instance holds the credential's limits (every request
   * after its first within OVERRIDE_CACHE_TTL_MS): the REST throttler reads them twice per request.
   */
  getNow(credentialId: string): RateLimits | Promise<RateLimits> {
    return this.cache.get(credentialId) ?? this.get(credentialId);
  }

  /** The limits of several credentials, read in the context's transaction (lists of keys, apps). */
  @Transactional({ readOnly: true })
  async getMany(
    ctx: RequestContext,
    credentialIds: readonly string[],
  ): Promise<Map<string, RateLimits>> {
    const rows: OverrideRow[] =
      credentialIds.length === 0
        ? []
        : await this.connection
            .manager(ctx)
            .query(
              `SELECT ${COLUMNS} FROM platform.rate_limit_overrides WHERE credential_id = ANY($1)`,
              [credentialIds],
            );
    const found = new Map(rows.map((row) => [row.credential_id, row]));
    return new Map(credentialIds.map((id) => [id, this.effective(found.get(id))]));
  }

  /**
   * Sets or resets the credential's overrides (`null`: all of them) and answers its limits. This
   * instance applies them from the next request; others within OVERRIDE_CACHE_TTL_MS.
   */
  @Transactional()
  async set(
    ctx: RequestContext,
    credentialId: string,
    change: RateLimitChange | null,
  ): Promise<RateLimits> {
    const manager = this.connection.manager(ctx);
    const [current]: OverrideRow[] = await manager.query(
      `SELECT ${COLUMNS} FROM platform.rate_limit_overrides WHERE credential_id = $1 FOR UPDATE`,
      [credentialId],
    );
    const rest = change === null ? null : pick(change.rest, current, 'rest');
    const graphql = change === null ? null : pick(change.graphql, current, 'graphql');
    if (!rest && !graphql) {
      await manager.query('DELETE FROM platform.rate_limit_overrides WHERE credential_id = $1', [
        credentialId,
      ]);
    } else {
      await manager.query(
        `INSERT INTO platform.rate_limit_overrides (${COLUMNS}, updated_at)
         VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (credential_id) DO UPDATE SET
           rest_bucket = EXCLUDED.rest_bucket,
           rest_refill_per_second = EXCLUDED.rest_refill_per_second,
           graphql_bucket = EXCLUDED.graphql_bucket,
           graphql_refill_per_second = EXCLUDED.graphql_refill_per_second,
           updated_at = now()`,
        [
          credentialId,
          rest?.bucket ?? null,
          rest?.refillPerSecond ?? null,
          graphql?.bucket ?? null,
          graphql?.refillPerSecond ?? null,
        ],
      );
    }
    this.connection.afterCommit(ctx, () => void this.cache.delete(credentialId));
    return {
      rest: rest ?? this.defaults.rest,
      graphql: graphql ?? this.defaults.graphql,
    };
  }

  private async load(credentialId: string): Promise<RateLimits> {
    const [row]: OverrideRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM platform.rate_limit_overrides WHERE credential_id = $1`,
      [credentialId],
    );
    return this.effective(row);
  }

  private effective(row: OverrideRow | undefined): RateLimits {
    return {
      rest: stored(row, 'rest') ?? this.defaults.rest,
      graphql: stored(row, 'graphql') ?? this.defaults.graphql,
    };
  }
}

function stored(row: OverrideRow | undefined, api: 'rest' | 'graphql'): BucketLimit | undefined {
  const bucket = row?.[`${api}_bucket`];
  const refillPerSecond = row?.[`${api}_refill_per_second`];
  return bucket && refillPerSecond ? { bucket, refillPerSecond } : undefined;
}

/** The change's value for one limit, or the stored one when the change leaves it out. */
function pick(
  change: BucketLimit | null | undefined,
  current: OverrideRow | undefined,
  api: 'rest' | 'graphql',
): BucketLimit | undefined {
  if (change === undefined) return stored(current, api);
  return change ?? undefined;
}
