import { createHash } from 'node:crypto';

/**
 * How every random credential is stored and looked up (API keys, OAuth client secrets, codes,
 * tokens, staff sessions): SHA-256. They carry 190 bits of randomness or more, so a slow hash
 * would add nothing against guessing, and a fast one keeps the lookup off the hot path.
 */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
