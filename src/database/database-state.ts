import { Pool } from 'pg';
import { DataSource } from 'typeorm';

const PROBE_TIMEOUT_MS = 2000;

/**
 * Paths answered before the database is migrated (every other one is a 503 until then): probes
 * must see the process alive, and metrics show why it is slow.
 */
export const ALWAYS_SERVED = /^\/(health\/|metrics)/;

/**
 * What readiness reports: migrations applied by this process, and the database answering now.
 *
 * The probe has a connection of its own, outside the application pool: a pool that one store's
 * locked table has filled is busy, not down, and a load balancer that took every instance out
 * for it would turn one store's trouble into an outage of all. So readiness fails only when
 * PostgreSQL itself does not answer (or migrations are pending).
 */
export class DatabaseState {
  private migrated = false;
  private probePool: Pool | undefined;

  constructor(
    private readonly dataSource: DataSource,
    /** The database to probe; without it (offline document generation) there is none. */
    private readonly url?: string,
  ) {}

  markMigrated(): void {
    this.migrated = true;
  }

  get isMigrated(): boolean {
    return this.migrated;
  }

  async isReady(): Promise<boolean> {
    if (!this.migrated || !this.dataSource.isInitialized || !this.url) return false;
    if (!this.probePool) {
      this.probePool = new Pool({
        connectionString: this.url,
        max: 1,
        connectionTimeoutMillis: PROBE_TIMEOUT_MS,
        idleTimeoutMillis: 60_000,
        application_name: 'dukkadee-readiness',
        // SELECT 1 waits on no lock; this only bounds a server that accepts but does not answer.
        query_timeout: PROBE_TIMEOUT_MS,
      });
      // An idle probe connection the server dropped is discarded; the next probe answers for it.
      this.probePool.on('error', () => undefined);
    }
    try {
      await this.probePool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    const pool = this.probePool;
    this.probePool = undefined;
    await pool?.end();
  }
}
