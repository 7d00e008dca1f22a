import { DomainError, ErrorCode } from '../common/errors/domain-error';
import type { UserError } from './types/common.types';

/**
 * Failures a client can act on, answered inside the mutation's payload (`userErrors`) rather than
 * as top-level errors, as Shopify and Saleor do. Authentication, scope and server failures stay
 * top-level (`extensions.code`).
 */
const USER_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'validation_failed',
  'not_found',
  'already_exists',
  'version_conflict',
  'insufficient_inventory',
  'invalid_state_transition',
  'url_not_allowed',
]);

export type Payload<K extends string, T> = { [key in K]: T | null } & { userErrors: UserError[] };

/** Runs a mutation and answers `{[key]: result, userErrors: []}`, or its expected failure. */
export async function mutationPayload<K extends string, T>(
  key: K,
  run: () => Promise<T>,
): Promise<Payload<K, T>> {
  try {
    return { [key]: await run(), userErrors: [] } as Payload<K, T>;
  } catch (error) {
    if (!(error instanceof DomainError) || !USER_ERROR_CODES.has(error.code)) throw error;
    return { [key]: null, userErrors: userErrorsOf(error) } as Payload<K, T>;
  }
}

function userErrorsOf(error: DomainError): UserError[] {
  const fields = error.details.errors;
  if (!fields || fields.length === 0)
    return [{ field: null, code: error.code, message: error.message }];
  return fields.map((field) => ({
    field: field.path === '' ? null : field.path,
    code: field.code,
    message: field.message,
  }));
}
