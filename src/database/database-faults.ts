import { QueryFailedError } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';

/**
 * The ways a transaction is refused because the database is busy rather than down: its store's
 * compartment of the pool is full or its wait too long, the whole pool had no connection in
 * time, or PostgreSQL stopped a statement that ran or waited on a lock past its timeout.
 */
export type DatabaseFault =
  | 'store_queue_full'
  | 'store_queue_timeout'
  | 'pool_timeout'
  | 'statement_timeout'
  | 'lock_timeout';

/** Told of each refusal, with its store (for the log line; metrics never label by store). */
export type DatabaseFaultListener = (fault: DatabaseFault, storeId: string | null) => void;

const ANSWERS: Record<DatabaseFault, { message: string; retryAfterSeconds: number }> = {
  store_queue_full: {
    message: 'This store has as many requests in progress as it may; retry shortly.',
    retryAfterSeconds: 1,
  },
  store_queue_timeout: {
    message: "This store's requests are waiting for the database; retry shortly.",
    retryAfterSeconds: 1,
  },
  pool_timeout: {
    message: 'Every database connection is busy; retry shortly.',
    retryAfterSeconds: 1,
  },
  statement_timeout: {
    message: 'The request took too long and was stopped; nothing was changed. Retry shortly.',
    retryAfterSeconds: 2,
  },
  lock_timeout: {
    message:
      'The data this request needs is locked by other work; nothing was changed. Retry shortly.',
    retryAfterSeconds: 2,
  },
};

/** The client's answer to a refusal: `503 service_busy` with `Retry-After`. */
export function busyError(fault: DatabaseFault): DomainError {
  const { message, retryAfterSeconds } = ANSWERS[fault];
  return new DomainError('service_busy', message, {
    headers: { 'Retry-After': String(retryAfterSeconds) },
    extra: { reason: fault },
  });
}

/** A statement PostgreSQL stopped at `statement_timeout` or `lock_timeout`, if this is one. */
export function timeoutFault(error: unknown): 'statement_timeout' | 'lock_timeout' | undefined {
  const cause = error instanceof QueryFailedError ? error.driverError : error;
  if (typeof cause !== 'object' || cause === null) return undefined;
  const code = (cause as { code?: unknown }).code;
  if (code === '55P03') return 'lock_timeout';
  // 57014 is also a cancel by pg_cancel_backend; only the timeout says so in its message.
  if (code === '57014' && /statement timeout/.test(String((cause as Error).message)))
    return 'statement_timeout';
  return undefined;
}

/** pg-pool's error when no connection came within `connectionTimeoutMillis`. */
export function isPoolTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'timeout exceeded when trying to connect';
}
