import { displayPrefix, generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key-token';

describe('API key tokens', () => {
  it('have the mode prefix, a body of 32 base62 characters and a valid checksum', () => {
    const live = generateApiKey('live');
    const test = generateApiKey('test');
    expect(live.key).toMatch(/^dk_live_[0-9A-Za-z]{38}$/);
    expect(test.key).toMatch(/^dk_test_[0-9A-Za-z]{38}$/);
    expect(isWellFormedApiKey(live.key)).toBe(true);
    expect(live.prefix).toBe(displayPrefix(live.key));
    expect(live.hash.equals(hashApiKey(live.key))).toBe(true);
  });

  it('never repeat, and use the whole alphabet', () => {
    const keys = Array.from({ length: 2000 }, () => generateApiKey('live').key);
    expect(new Set(keys).size).toBe(keys.length);
    const characters = new Set(keys.flatMap((key) => [...key.slice(8, 40)]));
    expect(characters.size).toBe(62);
  });

  it('reject any single-character change through the checksum', () => {
    const { key } = generateApiKey('live');
    for (let position = 8; position < key.length; position++) {
      const replacement = key[position] === 'a' ? 'b' : 'a';
      const typo = key.slice(0, position) + replacement + key.slice(position + 1);
      expect(isWellFormedApiKey(typo)).toBe(false);
    }
  });

  it('reject strings of the wrong shape', () => {
    const { key } = generateApiKey('live');
    for (const candidate of [
      '',
      'dk_live_',
      key.replace('dk_live_', 'dk_prod_'),
      `${key}x`,
      key.slice(0, -1),
      ` ${key}`,
    ]) {
      expect(isWellFormedApiKey(candidate)).toBe(false);
    }
  });
});
