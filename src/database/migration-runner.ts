import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { storeSchemaName } from './store-schema';

export type MigrationClass = new () => MigrationInterface;

export interface MigrationProgress {
  readonly done: number;
  readonly total: number;
  readonly storeId: string;
}

const PLATFORM_LOCK_KEY = 7_734_001;

/**
 * Applies migrations with one ledger per schema. TypeORM's own runner keeps a single migrations
 * table per data source and cannot apply one migration list to thousands of schemas, so this
 * small runner applies TypeORM migration classes itself: each in a transaction, recorded in the
 * schema's `schema_migrations` table, so an interrupted upgrade resumes where it stopped.
 */
export class MigrationRunner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly platformMigrations: readonly MigrationClass[],
    private readonly storeMigrations: readonly MigrationClass[],
  ) {}

  /** The store schema version a fully migrated store has: the number of store migrations. */
  get latestStoreVersion(): number {
    return this.storeMigrations.length;
  }

  /**
   * Applies pending platform migrations in one transaction. Concurrent instances queue on a
   * transaction-level advisory lock: a session-level lock could be taken and released on two
   * different server connections behind PgBouncer in transaction mode, and stay held forever.
   */
  async migratePlatform(): Promise<string[]> {
    return this.dataSource.transaction(async (manager) => {
      const runner = manager.queryRunner!;
      await runner.query('SELECT pg_advisory_xact_lock($1)', [PLATFORM_LOCK_KEY]);
      await runner.query('CREATE SCHEMA IF NOT EXISTS platform');
      return this.applyPending(runner, 'platform', this.platformMigrations);
    });
  }

  /** Creates a store's schema and applies every store migration, inside the caller's transaction. */
  async createStoreSchema(runner: QueryRunner, storeId: string): Promise<void> {
    const schema = storeSchemaName(storeId);
    await runner.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
    await this.migrateStoreInTransaction(runner, storeId);
  }

  /**
   * Brings every store schema to the latest version, one store per transaction, so a crash or a
   * second instance running the same upgrade leaves nothing half-applied and nothing applied twice.
   */
  async migrateAllStores(onProgress?: (progress: MigrationProgress) => void): Promise<number> {
    const latest = this.latestStoreVersion;
    const [{ count }] = await this.dataSource.query(
      'SELECT count(*)::int AS count FROM platform.stores WHERE schema_version < $1',
      [latest],
    );
    let done = 0;
    for (;;) {
      const migrated = await this.dataSource.transaction(async (manager) => {
        const rows: { id: string }[] = await manager.query(
          `SELECT id FROM platform.stores WHERE schema_version < $1
           ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [latest],
        );
        if (rows.length === 0) return null;
        await this.migrateStoreInTransaction(manager.queryRunner!, rows[0].id);
        return rows[0].id;
      });
      if (!migrated) return done;
      done += 1;
      onProgress?.({ done, total: count, storeId: migrated });
    }
  }

  private async migrateStoreInTransaction(runner: QueryRunner, storeId: string): Promise<void> {
    const schema = storeSchemaName(storeId);
    // Only the store's own schema is on the path: a missing table fails instead of reading another.
    await runner.query("SELECT set_config('search_path', $1, true)", [schema]);
    await this.applyPending(runner, schema, this.storeMigrations);
    await runner.query('UPDATE platform.stores SET schema_version = $2 WHERE id = $1', [
      storeId,
      this.storeMigrations.length,
    ]);
  }

  /** Runs inside the caller's transaction, so a failed migration leaves its schema untouched. */
  private async applyPending(
    runner: QueryRunner,
    schema: string,
    migrations: readonly MigrationClass[],
  ): Promise<string[]> {
    const ledger = `${quoteIdentifier(schema)}.schema_migrations`;
    await runner.query(
      `CREATE TABLE IF NOT EXISTS ${ledger} (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = new Set<string>(
      (await runner.query(`SELECT name FROM ${ledger}`)).map((row: { name: string }) => row.name),
    );
    const appliedNow: string[] = [];
    for (const Migration of migrations) {
      const migration = new Migration();
      const name = migration.name ?? Migration.name;
      if (applied.has(name)) continue;
      await migration.up(runner);
      await runner.query(`INSERT INTO ${ledger} (name) VALUES ($1)`, [name]);
      appliedNow.push(name);
    }
    return appliedNow;
  }
}

/** Identifiers here only ever come from `storeSchemaName` or constants; quoting is belt and braces. */
function quoteIdentifier(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
