import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import { DomainError, ErrorCode } from '../common/errors/domain-error';
import { toDomainError } from '../common/errors/to-domain-error';

/** extensions.code of a top-level error, per domain code; other codes are upper-cased. */
const GRAPHQL_CODES: Partial<Record<ErrorCode, string>> = {
  unauthenticated: 'UNAUTHENTICATED',
  insufficient_scope: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  validation_failed: 'BAD_USER_INPUT',
  internal_error: 'INTERNAL_SERVER_ERROR',
  service_unavailable: 'SERVICE_UNAVAILABLE',
  rate_limited: 'THROTTLED',
};

/**
 * The GraphQL face of the one error type: every resolver error becomes `{message, extensions:
 * {code}}` with the same messages as REST; an unexpected error is logged and shown without
 * internals.
 */
export function formatGraphqlError(
  logger: Logger,
): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const original = unwrapResolverError(error);
    // Errors of the request itself (syntax, validation, variables) have no path and carry
    // Apollo's own codes; only what a resolver threw is mapped.
    if (!(original instanceof DomainError) && formatted.path === undefined) return formatted;
    const { error: domain, unexpected } = toDomainError(original);
    if (unexpected)
      logger.error({ err: original, path: formatted.path }, 'unexpected GraphQL resolver error');
    return {
      message: domain.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: {
        code: GRAPHQL_CODES[domain.code] ?? domain.code.toUpperCase(),
        ...(domain.details.errors ? { errors: domain.details.errors } : {}),
        ...domain.details.extra,
      },
    };
  };
}
