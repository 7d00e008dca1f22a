import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { CatalogChange } from './catalog-changes';

/** The channel the processes of one database tell each other their catalogue changes on. */
const CHANNEL = 'dukkadee_cache';
/** NOTIFY payloads stop at 8000 bytes: past this many ids, the store's whole cache is dropped. */
const MAX_IDS_PER_SIGNAL = 150;

export interface CacheSignalHandlers {
  /** Another process changed the store's catalogue so (`undefined`: maybe anything). */
  changed(storeId: string, change: CatalogChange | undefined): void;
  /** The listening connection is up (again): what was missed meanwhile is unknown. */
  listening(): void;
  /** The listening connection is gone: signals may be missed until `listening()`. */
  lost(): void;
}

/**
 * Without Redis, the processes on one database (instances, the sync agent beside a self-hosted
 * one, the CLI, a worker) tell each other what their commits changed through PostgreSQL's
 * LISTEN/NOTIFY: no extra service, and one signal per catalogue write. It needs a session of its
 * own, so behind a transaction pooler (PgBouncer) set REDIS_URL instead.
 */
export class PostgresCacheSignals {
  private readonly origin = randomUUID();
  private client: Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly handlers: CacheSignalHandlers,
  ) {}

  start(): void {
    void this.listen();
  }

  /** Tells the other processes, once this process's own commit is done. */
  async publish(dataSource: DataSource, storeId: string, change: CatalogChange): Promise<void> {
    const payload = JSON.stringify({
      o: this.origin,
      s: storeId,
      ...(change.productIds.length <= MAX_IDS_PER_SIGNAL ? { p: change.productIds } : {}),
      ...(change.membership ? { m: 1 } : {}),
    });
    await dataSource.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.databaseUrl,
      application_name: 'dukkadee-cache-listener',
    });
    client.on('notification', (message) => this.receive(message.payload));
    client.once('error', () => {
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.handlers.lost();
      this.retry = setTimeout(() => {
        if (!this.stopped) void this.listen();
      }, 1_000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (this.stopped) return void (await client.end());
      this.client = client;
      this.handlers.listening();
    } catch (error) {
      client.emit('error', error);
    }
  }

  private receive(payload: string | undefined): void {
    let signal: { o?: unknown; s?: unknown; p?: unknown; m?: unknown };
    try {
      signal = JSON.parse(payload ?? '');
    } catch {
      return;
    }
    if (signal.o === this.origin || typeof signal.s !== 'string') return;
    const change = Array.isArray(signal.p)
      ? {
          productIds: signal.p.filter((id): id is string => typeof id === 'string'),
          membership: signal.m === 1,
        }
      : undefined;
    this.handlers.changed(signal.s, change);
  }
}
