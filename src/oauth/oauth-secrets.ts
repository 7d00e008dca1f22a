import { randomBytes } from 'node:crypto';

/**
 * The opaque secrets of OAuth: 256 random bits behind a prefix that names their kind, so a token
 * pasted in the wrong place is refused without a lookup and secret scanners recognise them.
 * Only their hashes are stored (hashSecret).
 */
export const SECRET_PREFIX = {
  accessToken: 'dk_oat_',
  refreshToken: 'dk_ort_',
  authorizationCode: 'dk_oac_',
  clientSecret: 'dk_cs_',
  clientId: 'dkc_',
  staffSession: 'dk_ss_',
} as const;

export type SecretKind = keyof typeof SECRET_PREFIX;

const BODY = /^[A-Za-z0-9_-]{43}$/;

export function generateSecret(kind: SecretKind): string {
  return `${SECRET_PREFIX[kind]}${randomBytes(32).toString('base64url')}`;
}

/** True when the string has the shape of that kind of secret; says nothing of its validity. */
export function isSecretOfKind(candidate: unknown, kind: SecretKind): candidate is string {
  if (typeof candidate !== 'string') return false;
  const prefix = SECRET_PREFIX[kind];
  return candidate.startsWith(prefix) && BODY.test(candidate.slice(prefix.length));
}
