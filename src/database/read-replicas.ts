import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import type { PoolClient } from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { RequestContext } from '../common/request-context';
import { createDataSource } from './data-source';

/** How often the primary's WAL position and every replica's replay position are read. */
const POLL_MS = 100;
/** A replica further behind than this is not read from (CONTRACT.md, `DATABASE_REPLICA_URLS`). */
const MAX_LAG_MS = 1_000;
/** A replica that does not answer its poll within this is down. */
const POLL_TIMEOUT_MS = 500;
/** How far back the primary's positions are kept to date a replica's lag. */
const HISTORY_MS = 5_000;

export interface ReplicaState {
  /** `host:port/database` of the URL, without credentials. */
  readonly replica: string;
  /** `up`: read from; `behind`: more than 1 s behind; `down`: not answering. */
  readonly state: 'up' | 'behind' | 'down';
  readonly lagSeconds: number | null;
}

interface Replica {
  readonly name: string;
  readonly dataSource: DataSource;
  up: boolean;
  replayed: bigint;
  lagMs: number;
}

export interface ReadReplicasOptions {
  readonly urls: readonly string[];
  readonly poolSize: number;
  readonly poolWaitMs: number;
  readonly registry: Registry;
  readonly logger: Logger;
}

/**
 * The streaming replicas of `DATABASE_REPLICA_URLS`, and which of them may serve a read now.
 *
 * Read-your-writes: after each write this instance commits, the connection's WAL position is
 * recorded for the write's store (the platform's for a platform write: a revoked key must be
 * refused at once here). A read of a store goes to a replica only once that replica has replayed
 * past the store's last write and the platform's, as its last poll said; otherwise to the
 * primary. A replica more than 1 s behind, or not answering, serves nothing until it catches up.
 * Reads are those of read-only transactions on behalf of a client (jobs read the primary: they act
 * on changes other instances just committed).
 */
@Injectable()
export class ReadReplicas implements OnModuleInit, OnModuleDestroy {
  private readonly replicas: Replica[];
  /** The primary's WAL position over the last seconds, oldest first, to date a replica's lag. */
  private readonly primaryHistory: { at: number; lsn: bigint }[] = [];
  /** Each store's last write on this instance; `null` is the platform's. */
  private readonly writtenAt = new Map<string | null, bigint>();
  /** Writes whose position could not be read after their commit: primary-only until the next poll. */
  private readonly positionUnknown = new Set<string | null>();
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private readonly reads: Counter<'replica'>;
  private readonly fallbacks: Counter<'reason'>;

  constructor(
    private readonly primary: DataSource,
    private readonly options: ReadReplicasOptions,
  ) {
    this.replicas = options.urls.map((url) => ({
      name: replicaName(url),
      dataSource: createDataSource({
        url,
        poolSize: options.poolSize,
        poolWaitMs: options.poolWaitMs,
        applicationName: 'dukkadee-replica-reads',
      }),
      up: false,
      replayed: 0n,
      lagMs: Number.POSITIVE_INFINITY,
    }));
    const registers = [options.registry];
    const replicas = this.replicas;
    new Gauge({
      name: 'db_replica_up',
      help: 'Whether the read replica is served from (1), or left out: down or over 1 s behind (0)',
      labelNames: ['replica'] as const,
      registers,
      collect() {
        for (const replica of replicas)
          this.set({ replica: replica.name }, replica.up && replica.lagMs <= MAX_LAG_MS ? 1 : 0);
      },
    });
    new Gauge({
      name: 'db_replica_lag_seconds',
      help: 'How far the read replica replays behind the primary (-1 while it does not answer)',
      labelNames: ['replica'] as const,
      registers,
      collect() {
        for (const replica of replicas)
          this.set(
            { replica: replica.name },
            replica.up && Number.isFinite(replica.lagMs) ? replica.lagMs / 1000 : -1,
          );
      },
    });
    this.reads = new Counter({
      name: 'db_replica_reads_total',
      help: 'Read-only transactions served by a read replica',
      labelNames: ['replica'] as const,
      registers,
    });
    this.fallbacks = new Counter({
      name: 'db_replica_fallbacks_total',
      help: 'Reads sent to the primary instead: no replica had replayed the store’s last write here (behind), or the replica failed mid-read (failed)',
      labelNames: ['reason'] as const,
      registers,
    });
  }

  get enabled(): boolean {
    return this.replicas.length > 0;
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    for (const replica of this.replicas)
      if (replica.dataSource.isInitialized)
        await replica.dataSource.destroy().catch(() => undefined);
  }

  /** The replica to read `ctx`'s store from now, if any may serve it. */
  pick(
    ctx: RequestContext,
  ): { readonly name: string; readonly dataSource: DataSource } | undefined {
    if (!this.enabled || !ctx.storeId || ctx.actor.type === 'system') return undefined;
    if (this.positionUnknown.has(ctx.storeId) || this.positionUnknown.has(null)) {
      this.fallbacks.inc({ reason: 'behind' });
      return undefined;
    }
    const store = this.writtenAt.get(ctx.storeId) ?? 0n;
    const platform = this.writtenAt.get(null) ?? 0n;
    const needed = store > platform ? store : platform;
    for (let tried = 0; tried < this.replicas.length; tried++) {
      const replica = this.replicas[(this.next + tried) % this.replicas.length];
      if (replica.up && replica.lagMs <= MAX_LAG_MS && replica.replayed >= needed) {
        this.next = (this.next + tried + 1) % this.replicas.length;
        this.reads.inc({ replica: replica.name });
        return replica;
      }
    }
    this.fallbacks.inc({ reason: 'behind' });
    return undefined;
  }

  /** A read that failed on the replica (connection lost, recovery conflict): it is down till it answers. */
  failed(name: string): void {
    const replica = this.replicas.find((candidate) => candidate.name === name);
    if (replica?.up) this.options.logger.warn({ replica: name }, 'read replica failed a read');
    if (replica) replica.up = false;
    this.fallbacks.inc({ reason: 'failed' });
  }

  /**
   * After a write's COMMIT, on its connection: the WAL position its store's reads must see. If it
   * cannot be read, the store reads the primary until the next poll gives a position past it.
   */
  async recordWrite(storeId: string | null, client: PoolClient): Promise<void> {
    if (!this.enabled) return;
    try {
      const result = await client.query<{ lsn: string }>(
        'SELECT pg_current_wal_lsn()::text AS lsn',
      );
      const lsn = parseLsn(result.rows[0].lsn);
      if (lsn > (this.writtenAt.get(storeId) ?? 0n)) this.writtenAt.set(storeId, lsn);
    } catch {
      this.positionUnknown.add(storeId);
    }
  }

  states(): ReplicaState[] {
    return this.replicas.map((replica) => ({
      replica: replica.name,
      state: !replica.up ? 'down' : replica.lagMs > MAX_LAG_MS ? 'behind' : 'up',
      lagSeconds: replica.up && Number.isFinite(replica.lagMs) ? replica.lagMs / 1000 : null,
    }));
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const now = Date.now();
      const primary = await withTimeout(
        this.primary.query<{ lsn: string }[]>('SELECT pg_current_wal_lsn()::text AS lsn'),
      ).catch(() => undefined);
      if (primary) this.rememberPrimary(now, parseLsn(primary[0].lsn));
      await Promise.all(this.replicas.map((replica) => this.pollReplica(replica, now)));
      this.forgetReplayedWrites();
    } finally {
      this.polling = false;
    }
  }

  private rememberPrimary(now: number, lsn: bigint): void {
    this.primaryHistory.push({ at: now, lsn });
    while (this.primaryHistory.length > 0 && this.primaryHistory[0].at < now - HISTORY_MS)
      this.primaryHistory.shift();
    // A write whose position was not read is behind this one, which it preceded.
    for (const unknown of this.positionUnknown) {
      if (lsn > (this.writtenAt.get(unknown) ?? 0n)) this.writtenAt.set(unknown, lsn);
    }
    this.positionUnknown.clear();
  }

  private async pollReplica(replica: Replica, now: number): Promise<void> {
    try {
      if (!replica.dataSource.isInitialized) await withTimeout(replica.dataSource.initialize());
      const rows = await withTimeout(
        replica.dataSource.query<{ lsn: string | null }[]>(
          'SELECT pg_last_wal_replay_lsn()::text AS lsn',
        ),
      );
      // Null: not a replica at all (or not replaying); never read from as one.
      if (rows[0].lsn === null) throw new Error('not in recovery');
      replica.replayed = parseLsn(rows[0].lsn);
      replica.lagMs = this.lagOf(replica.replayed, now);
      if (!replica.up)
        this.options.logger.info({ replica: replica.name }, 'read replica answering');
      replica.up = true;
    } catch {
      if (replica.up)
        this.options.logger.warn({ replica: replica.name }, 'read replica not answering');
      replica.up = false;
      replica.lagMs = Number.POSITIVE_INFINITY;
    }
  }

  /**
   * How long the primary has been past the replica's position: 0 when it has replayed everything
   * the primary had written at the last poll, else the age of the first position seen beyond it.
   */
  private lagOf(replayed: bigint, now: number): number {
    const latest = this.primaryHistory.at(-1);
    if (!latest || replayed >= latest.lsn) return 0;
    const firstAhead = this.primaryHistory.find((sample) => sample.lsn > replayed);
    const since =
      firstAhead && firstAhead !== this.primaryHistory[0] ? firstAhead.at : now - HISTORY_MS;
    return Math.max(0, now - since);
  }

  /**
   * Writes every replica has replayed bind nothing any more. A replica that is down keeps its last
   * position, which it can only pass when it is back.
   */
  private forgetReplayedWrites(): void {
    const slowest = this.replicas.reduce(
      (least, replica) => (replica.replayed < least ? replica.replayed : least),
      this.replicas[0].replayed,
    );
    for (const [store, lsn] of this.writtenAt) if (lsn <= slowest) this.writtenAt.delete(store);
  }
}

/** `X/Y` (two hexadecimal halves) as one number, for comparing positions. */
export function parseLsn(text: string): bigint {
  const [high, low] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

function replicaName(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), POLL_TIMEOUT_MS);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
