import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);

  it('opens what it sealed', () => {
    for (const plaintext of ['whsec_abc', '', 'café ☕ 🎉', 'x'.repeat(10_000)]) {
      expect(box.open(box.seal(plaintext))).toBe(plaintext);
    }
  });

  it('seals in the v1 format with a 12-byte IV and a 16-byte tag', () => {
    const parts = box.seal('secret').split('.');
    expect(parts).toHaveLength(4);
    expect(parts[0]).toBe('v1');
    for (const part of parts.slice(1)) expect(part).toMatch(/^[A-Za-z0-9_-]*$/);
    expect(Buffer.from(parts[1], 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[3], 'base64url')).toHaveLength(16);
  });

  it('never seals the same plaintext twice the same way', () => {
    const a = box.seal('same');
    const b = box.seal('same');
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
  });

  it('does not reveal the plaintext or the key', () => {
    const sealed = box.seal('whsec_plaintext');
    expect(sealed).not.toContain('plaintext');
    expect(JSON.stringify(box)).not.toContain(key.toString('hex'));
  });

  it('throws when any character of any part is changed', () => {
    const sealed = box.seal('whsec_some_secret_value');
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    for (let i = 0; i < sealed.length; i++) {
      if (sealed[i] === '.') continue;
      const tampered = sealed.slice(0, i) + flip(sealed[i]) + sealed.slice(i + 1);
      expect(() => box.open(tampered)).toThrow();
    }
  });

  it('throws when parts are swapped, cut, added or left out', () => {
    const sealed = box.seal('whsec_some_secret_value');
    const [version, iv, ciphertext, tag] = sealed.split('.');
    const other = box.seal('whsec_some_secret_value').split('.');
    const variants = [
      [version, other[1], ciphertext, tag],
      [version, iv, other[2], tag],
      [version, iv, ciphertext, other[3]],
      ['v2', iv, ciphertext, tag],
      [version, iv, ciphertext.slice(0, -2), tag],
      [version, iv, ciphertext, tag.slice(0, -4)],
      [version, iv, ciphertext + 'AA', tag],
      [version, iv, ciphertext, tag, ''],
      [version, iv, ciphertext],
      [version, iv + '=', ciphertext, tag],
    ];
    for (const parts of variants) expect(() => box.open(parts.join('.'))).toThrow();
    for (const bad of ['', 'v1', 'v1...', 'not a sealed value']) {
      expect(() => box.open(bad)).toThrow(/format/);
    }
  });

  it('throws when opened with another key', () => {
    const sealed = box.seal('whsec_some_secret_value');
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(/wrong key or tampered/);
  });

  it('keeps its own copy of the key', () => {
    const mutable = Buffer.from(key);
    const own = new SecretBox(mutable);
    const sealed = own.seal('value');
    mutable.fill(0);
    expect(own.open(sealed)).toBe('value');
  });

  it('refuses keys that are not 32 bytes', () => {
    for (const length of [0, 16, 31, 33, 64]) {
      expect(() => new SecretBox(randomBytes(length))).toThrow(RangeError);
    }
    expect(() => new SecretBox('k'.repeat(32) as unknown as Buffer)).toThrow(RangeError);
  });
});
