import { QueryFailedError } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';

const UNAVAILABLE_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

/**
 * Whether an error means the database cannot be reached right now (refused or dropped
 * connections, a server shutting down, class 08 connection exceptions), as opposed to a bug.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const cause = error instanceof QueryFailedError ? error.driverError : error;
  if (typeof cause !== 'object' || cause === null) return false;
  const code = String((cause as { code?: unknown }).code ?? '');
  const message = String((cause as { message?: unknown }).message ?? '');
  return (
    UNAVAILABLE_SYSTEM_CODES.has(code) ||
    code.startsWith('08') ||
    ['57P01', '57P02', '57P03'].includes(code) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
      message,
    )
  );
}

/** The constraint a unique violation broke, or undefined when the error is something else. */
export function violatedUniqueConstraint(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' ? (driverError.constraint ?? '') : undefined;
}

function sqlState(error: unknown): string | undefined {
  const cause = error instanceof QueryFailedError ? error.driverError : error;
  if (typeof cause !== 'object' || cause === null) return undefined;
  const code = (cause as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A deadlock or serialization failure: two transactions got in each other's way and PostgreSQL
 * aborted one. Nothing is wrong with the request; retrying it succeeds.
 */
export function isTransactionConflict(error: unknown): boolean {
  const code = sqlState(error);
  return code === '40P01' || code === '40001';
}

/** A foreign key pointed at a row that a concurrent transaction deleted. */
export function isForeignKeyViolation(error: unknown): boolean {
  return sqlState(error) === '23503';
}

/**
 * The domain error a PostgreSQL failure means for the client, plugged into the problem mapping
 * (`addErrorTranslator`) by the application: an unreachable database is a 503 to retry, a
 * deadlock or serialization failure a 409 to retry; anything else stays unexpected.
 */
export function translatePostgresError(error: unknown): DomainError | undefined {
  if (isDatabaseUnavailable(error))
    return new DomainError('service_unavailable', 'The database is unreachable; retry shortly.', {
      headers: { 'Retry-After': '1' },
    });
  if (isTransactionConflict(error))
    return new DomainError(
      'conflict',
      'A concurrent change got in the way and nothing was changed; retry the request.',
      { headers: { 'Retry-After': '1' } },
    );
  return undefined;
}
