import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { storeSchemaName } from './store-schema';

export type MigrationClass = new () => MigrationInterface;

export interface MigrationProgress {
  /** Stores migrated so far in this run. */
  readonly done: number;
  /** Stores whose migration failed so far (set aside, tried again at the end). */
  readonly failed: number;
  /** Stores behind the latest version when the run started. */
  readonly total: number;
  /** The store just migrated (or just failed). */
  readonly storeId: string;
}

export interface StoreMigrationOptions {
  /** Stores migrated at once, each on one connection of the pool (default 1). */
  readonly concurrency?: number;
  /** Tries per store before it is reported as failed (default 3). */
  readonly attempts?: number;
  readonly onProgress?: (progress: MigrationProgress) => void;
}

export interface StoreMigrationFailure {
  readonly storeId: string;
  attempts: number;
  /** The last error's message. */
  error: string;
}

export interface StoreMigrationResult {
  readonly migrated: number;
  readonly total: number;
  /** Stores still behind after every attempt; the next run tries them again. */
  readonly failed: readonly StoreMigrationFailure[];
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
   * second instance running the same upgrade leaves nothing half-applied and nothing applied twice:
   * a store is claimed with `FOR UPDATE SKIP LOCKED` and its version bumped in the transaction that
   * migrates it, so a run killed halfway resumes with the stores it had not finished. `concurrency`
   * workers run at once, each on one connection. A store whose migration fails is rolled back,
   * set aside, tried again after the others (`attempts` in all), and reported, never skipped
   * silently: the other stores carry on.
   */
  async migrateAllStores(options: StoreMigrationOptions = {}): Promise<StoreMigrationResult> {
    const latest = this.latestStoreVersion;
    const concurrency = Math.max(1, options.concurrency ?? 1);
    const attempts = Math.max(1, options.attempts ?? 3);
    const [{ count }] = await this.dataSource.query(
      'SELECT count(*)::int AS count FROM platform.stores WHERE schema_version < $1',
      [latest],
    );
    const progress = { done: 0, failed: 0, total: count as number };
    const failures = new Map<string, StoreMigrationFailure>();
    const report = (storeId: string) => options.onProgress?.({ ...progress, storeId });
    const migrateNext = async (): Promise<boolean> => {
      let migrated: string | undefined;
      try {
        migrated = await this.migrateClaimed(
          `SELECT id FROM platform.stores WHERE schema_version < $1 AND id <> ALL($2::text[])
           ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [latest, [...failures.keys()]],
        );
      } catch (error) {
        if (!(error instanceof StoreMigrationError)) throw error;
        // Two workers may both meet it (the lock ends with the rollback): one entry all the same.
        failures.set(error.storeId, { storeId: error.storeId, attempts: 1, error: error.message });
        progress.failed = failures.size;
        report(error.storeId);
        return true;
      }
      if (migrated === undefined) return false;
      progress.done += 1;
      report(migrated);
      return true;
    };
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (await migrateNext());
      }),
    );
    // The ones that failed, again, after everything else: a lock or a timeout may have passed.
    for (const failure of failures.values()) {
      while (failure.attempts < attempts) {
        failure.attempts += 1;
        try {
          const migrated = await this.migrateClaimed(
            'SELECT id FROM platform.stores WHERE id = $1 AND schema_version < $2 FOR UPDATE SKIP LOCKED',
            [failure.storeId, latest],
          );
          failures.delete(failure.storeId);
          progress.failed = failures.size;
          if (migrated) progress.done += 1;
          report(failure.storeId);
          break;
        } catch (error) {
          failure.error = messageOf(error);
        }
      }
    }
    return { migrated: progress.done, total: progress.total, failed: [...failures.values()] };
  }

  /**
   * Claims the store `claim` selects (locked; one another runner holds is skipped) and migrates it
   * in the same transaction. Answers its id, or undefined when there was none to claim; a failed
   * migration is rolled back and thrown as a StoreMigrationError naming the store.
   */
  private async migrateClaimed(claim: string, params: unknown[]): Promise<string | undefined> {
    let claimed: string | undefined;
    try {
      return await this.dataSource.transaction(async (manager) => {
        const rows: { id: string }[] = await manager.query(claim, params);
        if (rows.length === 0) return undefined;
        claimed = rows[0].id;
        await this.migrateStoreInTransaction(manager.queryRunner!, claimed);
        return claimed;
      });
    } catch (error) {
      if (claimed === undefined) throw error;
      throw new StoreMigrationError(claimed, error);
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A store's migration failed (and was rolled back); the message is the migration's error's. */
class StoreMigrationError extends Error {
  constructor(
    readonly storeId: string,
    cause: unknown,
  ) {
    super(messageOf(cause), { cause });
  }
}
