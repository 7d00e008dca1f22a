import { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { registeredEntities } from './database.module';
export interface DataSourceOptions {
  readonly url: string;
  readonly poolSize: number;
  /** How long a caller waits for a connection (pool full, or the server slow to accept). */
  readonly poolWaitMs?: number;
  /** Observes every statement (tests count them to catch N+1 queries). */
  readonly logger?: TypeOrmLogger;
  /** How the connections show in `pg_stat_activity`. */
  readonly applicationName?: string;
}

/**
 * One pool for the platform and every store. Nothing is set per connection (no startup
 * `search_path`): each transaction sets its own, which is what PgBouncer in transaction mode allows.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    // The entities of the modules loaded so far: each declares its own (DatabaseModule.forFeature).
    entities: registeredEntities(),
    synchronize: false,
    migrationsRun: false,
    logging: options.logger ? true : false,
    logger: options.logger,
    extra: {
      max: options.poolSize,
      application_name: options.applicationName ?? 'dukkadee',
      connectionTimeoutMillis: options.poolWaitMs ?? 5000,
    },
  });
}
