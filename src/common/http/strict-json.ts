import { DomainError, FieldError } from '../errors/domain-error';

export const MAX_JSON_DEPTH = 32;
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Parses a request body and refuses what the platform never stores: nesting deeper than 32
 * levels (checked on the raw text before parsing, so a hostile body cannot exhaust the stack),
 * NUL bytes and lone surrogates in strings or keys, numbers beyond 2^53, and prototype keys.
 * JSON.parse alone accepts all of these.
 */
export function parseStrictJson(text: string): unknown {
  // An empty body never gets here (it is no body, see body-parsers.ts); only whitespace does.
  if (text.trim() === '') throw invalidBody('The request body holds only whitespace, not JSON.');
  assertDepth(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidBody('The request body is not valid JSON.');
  }
  const errors: FieldError[] = [];
  inspect(value, '', errors);
  if (errors.length > 0) throw DomainError.validation(errors);
  return value;
}

function invalidBody(message: string): DomainError {
  return new DomainError('validation_failed', message, {
    errors: [{ path: '', code: 'invalid_json', message }],
  });
}

function assertDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw invalidBody(`The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
      }
    } else if (char === 0x7d || char === 0x5d) {
      depth--;
    }
  }
}

function inspect(value: unknown, path: string, errors: FieldError[]): void {
  if (typeof value === 'string') {
    const problem = stringProblem(value);
    if (problem) errors.push({ path, code: 'invalid_string', message: problem });
  } else if (typeof value === 'number') {
    if (Math.abs(value) > Number.MAX_SAFE_INTEGER) {
      errors.push({
        path,
        code: 'number_too_large',
        message: 'Numbers must lie within ±(2^53 − 1).',
      });
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => inspect(item, join(path, String(index)), errors));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const keyPath = join(path, key);
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
        errors.push({
          path: keyPath,
          code: 'forbidden_key',
          message: `The key "${key}" is not allowed.`,
        });
        continue;
      }
      const keyProblem = stringProblem(key);
      if (keyProblem) errors.push({ path: keyPath, code: 'invalid_string', message: keyProblem });
      inspect(item, keyPath, errors);
    }
  }
}

function stringProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'Text must not contain NUL characters.';
  if (!value.isWellFormed()) return 'Text must be valid Unicode (no lone surrogates).';
  return undefined;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
