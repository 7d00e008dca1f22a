/** Stable error codes and the HTTP status each maps to; GraphQL maps the same codes. */
export const ERROR_STATUS = {
  validation_failed: 400,
  bad_request: 400,
  url_not_allowed: 400,
  unauthenticated: 401,
  insufficient_scope: 403,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  conflict: 409,
  already_exists: 409,
  idempotency_key_in_use: 409,
  insufficient_inventory: 409,
  invalid_state_transition: 409,
  version_conflict: 412,
  cursor_expired: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  batch_id_reused: 422,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
  service_busy: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  /** Dotted path to the field (`variants.0.price`); empty for the body itself. */
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/**
 * The one error type of the service layer and the transports. Each transport maps it once:
 * REST to RFC 9457 problem details, GraphQL to `userErrors` or `extensions.code`.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: {
      readonly errors?: readonly FieldError[];
      readonly extra?: Readonly<Record<string, unknown>>;
      readonly headers?: Readonly<Record<string, string>>;
    } = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  static validation(errors: readonly FieldError[]): DomainError {
    const count = errors.length;
    return new DomainError(
      'validation_failed',
      `The request has ${count} invalid field${count === 1 ? '' : 's'}.`,
      { errors },
    );
  }

  static notFound(what: string, path?: string): DomainError {
    return new DomainError(
      'not_found',
      `No such ${what}.`,
      path === undefined
        ? {}
        : { errors: [{ path, code: 'not_found', message: `No such ${what}.` }] },
    );
  }
}

/** The promise's value, or undefined when it fails with `not_found`; any other failure stands. */
export async function unlessNotFound<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'not_found') return undefined;
    throw error;
  }
}
