import { DomainError } from './domain-error';

/** 401 for a credential that is malformed, unknown, revoked or expired (RFC 6750 challenge). */
export function invalidCredential(): DomainError {
  return new DomainError('unauthenticated', 'The credential is invalid, revoked or expired.', {
    headers: { 'WWW-Authenticate': 'Bearer realm="dukkadee", error="invalid_token"' },
  });
}

/** 401 for a request that carries no credential at all. */
export function missingCredential(): DomainError {
  return new DomainError(
    'unauthenticated',
    'Send a credential as "Authorization: Bearer <token>".',
    {
      headers: { 'WWW-Authenticate': 'Bearer realm="dukkadee"' },
    },
  );
}
