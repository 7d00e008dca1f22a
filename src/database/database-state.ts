import { DataSource } from 'typeorm';

const PROBE_TIMEOUT_MS = 2000;

/**
 * Paths answered before the database is migrated (every other one is a 503 until then): probes
 * must see the process alive, and metrics show why it is slow.
 */
export const ALWAYS_SERVED = /^\/(health\/|metrics)/;

/** What readiness reports: migrations applied by this process, and the database answering now. */
export class DatabaseState {
  private migrated = false;

  constructor(private readonly dataSource: DataSource) {}

  markMigrated(): void {
    this.migrated = true;
  }

  get isMigrated(): boolean {
    return this.migrated;
  }

  async isReady(): Promise<boolean> {
    if (!this.migrated || !this.dataSource.isInitialized) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>(
      (resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)),
    );
    const probe = this.dataSource.query('SELECT 1').then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
