import { isId, newId } from './ids';

describe('ids', () => {
  it('are prefixed lower-case ULIDs, unique and increasing', () => {
    const ids = Array.from({ length: 10_000 }, () => newId('prod'));
    for (const id of ids.slice(0, 100)) expect(isId(id, 'prod')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('spread their random part over the whole alphabet', () => {
    const characters = new Set(
      Array.from({ length: 2000 }, () => newId('key').slice(-16)).join(''),
    );
    expect(characters.size).toBe(32);
  });

  it('refuse other prefixes and shapes', () => {
    expect(isId(newId('prod'), 'store')).toBe(false);
    expect(isId('store_' + 'u'.repeat(26), 'store')).toBe(false);
    expect(isId('store_x"; drop', 'store')).toBe(false);
  });
});
