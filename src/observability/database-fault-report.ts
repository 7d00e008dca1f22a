import type { Logger } from 'pino';
import type { DatabaseFault, DatabaseFaultListener } from '../database/database-faults';
import { RateLimitedLog } from './rate-limited-log';
import type { Metrics } from './metrics';

const WHAT: Record<DatabaseFault, string> = {
  store_queue_full: "a store's requests filled its share of the database pool and its queue",
  store_queue_timeout: "a store's request waited too long for its share of the database pool",
  pool_timeout: 'every database connection was busy for longer than DATABASE_POOL_WAIT_MS',
  statement_timeout: 'a statement ran past DATABASE_STATEMENT_TIMEOUT_MS and was stopped',
  lock_timeout: 'a statement waited for a lock past DATABASE_LOCK_TIMEOUT_MS and was stopped',
};

/**
 * Each refusal counted by reason (never by store: a label per store would grow without bound),
 * and logged at most once per reason every 10 s with the store it hit, which is what an operator
 * needs to find the store holding the lock or running the slow query.
 */
export function reportDatabaseFaults(metrics: Metrics, logger: Logger): DatabaseFaultListener {
  const warnings = new RateLimitedLog(logger);
  return (fault, storeId) => {
    metrics.databaseRefusals.inc({ reason: fault });
    warnings.warn(`database_${fault}`, { storeId }, `${WHAT[fault]}: answered 503 service_busy`);
  };
}
