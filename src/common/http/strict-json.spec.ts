import { DomainError } from '../errors/domain-error';
import { MAX_JSON_DEPTH, parseStrictJson } from './strict-json';

function rejection(text: string): DomainError {
  try {
    parseStrictJson(text);
  } catch (error) {
    return error as DomainError;
  }
  throw new Error(`accepted: ${text}`);
}

describe('parseStrictJson', () => {
  it('parses ordinary JSON', () => {
    expect(parseStrictJson('{"a":[1,"x",{"b":null}],"c":9007199254740991}')).toEqual({
      a: [1, 'x', { b: null }],
      c: 9007199254740991,
    });
  });

  it(`accepts nesting of exactly ${MAX_JSON_DEPTH} levels and refuses one more`, () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    expect(() => parseStrictJson(nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(rejection(nested(MAX_JSON_DEPTH + 1)).code).toBe('validation_failed');
    expect(rejection(nested(100_000)).code).toBe('validation_failed');
  });

  it('does not count brackets inside strings as nesting', () => {
    expect(parseStrictJson(JSON.stringify({ text: '['.repeat(100) + '\\"{' }))).toEqual({
      text: '['.repeat(100) + '\\"{',
    });
  });

  it('reports NUL bytes, lone surrogates and huge numbers with their paths', () => {
    const error = rejection(
      '{"name":"a\\u0000b","items":[{"note":"\\ud800"}],"n":9007199254740993,"\\udc00":1}',
    );
    expect(error.details.errors?.map((e) => [e.path, e.code])).toEqual([
      ['name', 'invalid_string'],
      ['items.0.note', 'invalid_string'],
      ['n', 'number_too_large'],
      ['\udc00', 'invalid_string'],
    ]);
  });

  it('accepts well-formed surrogate pairs', () => {
    expect(parseStrictJson('{"emoji":"\\ud83d\\ude00"}')).toEqual({ emoji: '😀' });
  });

  it('refuses prototype keys, blank text and invalid JSON', () => {
    expect(rejection('{"__proto__":{"admin":true}}').details.errors?.[0].code).toBe(
      'forbidden_key',
    );
    expect(rejection('   ').code).toBe('validation_failed');
    expect(rejection('{"a":').details.errors?.[0].code).toBe('invalid_json');
  });
});
