import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/** Type prefixes of the public ids; the same string is used by every API. */
export type IdPrefix =
  | 'store'
  | 'prod'
  | 'var'
  | 'cus'
  | 'ord'
  | 'li'
  | 'evt'
  | 'adj'
  | 'whsub'
  | 'whdel'
  | 'key'
  | 'app'
  | 'inst'
  | 'tok'
  | 'grant'
  | 'conflict'
  | 'staff'
  | 'req';

/**
 * ulid asks its random source once per character (16 calls per id); drawing each from
 * crypto.randomFillSync made id generation a visible share of a request's CPU. This source hands
 * out bytes from a block of 4 KiB filled by the CSPRNG at once.
 */
const entropy = Buffer.alloc(4096);
let entropyOffset = entropy.length;
function batchedRandom(): number {
  if (entropyOffset >= entropy.length) {
    randomFillSync(entropy);
    entropyOffset = 0;
  }
  return entropy[entropyOffset++] / 256;
}

const nextUlid = monotonicFactory(batchedRandom);

/**
 * Ids are `<prefix>_<ulid>` in lower case: sortable by creation time, which keyset pagination
 * uses, and valid inside a PostgreSQL identifier (the store id doubles as its schema name).
 */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${nextUlid().toLowerCase()}`;
}

const ID_PATTERN = /^[a-z]+_[0-9a-hjkmnp-tv-z]{26}$/;

export function isId(value: unknown, prefix: IdPrefix): value is string {
  return typeof value === 'string' && value.startsWith(`${prefix}_`) && ID_PATTERN.test(value);
}

/** An id of any type: letters, digits and one underscore, nothing SQL could read as syntax. */
export function isAnyId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}
