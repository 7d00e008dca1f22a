import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Binding the version into the tag stops a sealed value from being replayed under another format.
const AAD = Buffer.from(VERSION, 'utf8');

/**
 * Buffer.from(…, 'base64url') skips invalid characters and ignores the unused low bits of the last
 * character, so several strings decode to the same bytes; only the canonical form is accepted, or
 * an edited sealed value could still open.
 */
function decodeCanonical(part: string): Buffer | null {
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : null;
}

/** Encrypts secrets at rest (webhook signing secrets) with ENCRYPTION_KEY: AES-256-GCM, random 12-byte IV per seal, authenticated. */
export class SecretBox {
  // A private field keeps the key out of console.log and JSON output of the instance.
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
      throw new RangeError(`SecretBox key must be exactly ${KEY_BYTES} bytes`);
    }
    // A copy, so that a caller zeroing or reusing its buffer cannot change the key underneath.
    this.#key = Buffer.from(key);
  }

  /** Format `v1.<iv>.<ciphertext>.<tag>` (base64url); the version leaves room for key rotation. */
  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(AAD);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      VERSION,
      iv.toString('base64url'),
      ciphertext.toString('base64url'),
      tag.toString('base64url'),
    ].join('.');
  }

  /** Throws on a bad format, a wrong key or any change to the sealed value. */
  open(sealed: string): string {
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    if (parts.length !== 4 || parts[0] !== VERSION) {
      throw new Error('Sealed secret has an unknown format');
    }
    const iv = decodeCanonical(parts[1]);
    const ciphertext = decodeCanonical(parts[2]);
    const tag = decodeCanonical(parts[3]);
    if (!iv || iv.length !== IV_BYTES || !ciphertext || !tag || tag.length !== TAG_BYTES) {
      throw new Error('Sealed secret has an unknown format');
    }
    // authTagLength pins the tag size so that a truncated tag cannot be accepted.
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(AAD);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      // OpenSSL's message says nothing useful; the cause is always a wrong key or a changed value.
      throw new Error('Sealed secret could not be opened: wrong key or tampered value');
    }
  }
}
