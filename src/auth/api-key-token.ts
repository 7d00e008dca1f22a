import { randomBytes } from 'node:crypto';
import { hashSecret } from '../common/crypto/secret-hash';
import { crc32 } from 'node:zlib';

export type ApiKeyMode = 'live' | 'test';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 32; // 32 base62 characters carry 190 random bits
const CHECKSUM_LENGTH = 6; // a CRC32 in base62
const KEY_PATTERN = /^dk_(live|test)_([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/;

export interface GeneratedApiKey {
  readonly key: string;
  readonly prefix: string;
  readonly hash: Buffer;
}

/**
 * `dk_<mode>_<32 random base62><6 checksum base62>`. The checksum lets the guard reject typos and
 * guessed keys without touching the database, and lets secret scanners recognise real keys.
 */
export function generateApiKey(mode: ApiKeyMode): GeneratedApiKey {
  let body = '';
  while (body.length < BODY_LENGTH) {
    for (const byte of randomBytes(BODY_LENGTH)) {
      // Rejection sampling keeps every character equally likely (248 = 4 × 62).
      if (byte < 248 && body.length < BODY_LENGTH) body += ALPHABET[byte % 62];
    }
  }
  const head = `dk_${mode}_${body}`;
  const key = `${head}${checksum(head)}`;
  return { key, prefix: displayPrefix(key), hash: hashApiKey(key) };
}

/** True when the string has the key's shape and a valid checksum; says nothing of its validity. */
export function isWellFormedApiKey(candidate: string): boolean {
  const match = KEY_PATTERN.exec(candidate);
  if (!match) return false;
  return checksum(`dk_${match[1]}_${match[2]}`) === match[3];
}

export function hashApiKey(key: string): Buffer {
  return hashSecret(key);
}

/** What may be shown again after creation: the mode and the first characters. */
export function displayPrefix(key: string): string {
  return key.slice(0, 12);
}

function checksum(text: string): string {
  let value = crc32(text);
  let encoded = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    encoded = ALPHABET[value % 62] + encoded;
    value = Math.floor(value / 62);
  }
  return encoded;
}
