import type { FastifyInstance } from 'fastify';
import { unsupportedMediaType } from '../common/http/body-parsers';

/** The JSON API's prefixes: forms are for pages and OAuth (RFC 6749 §3.2) only. */
const API_PREFIXES = ['/v1/', '/v1?', '/graphql'];

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
/** Forms are small: a sign-in, a consent, a token request, a product with its variants. */
export const MAX_FORM_BYTES = 256 * 1024;

/**
 * Pages and OAuth speak HTML forms and `application/x-www-form-urlencoded` (RFC 6749 §3.2),
 * which the JSON API refuses: under `/v1` and `/graphql` the parser answers 415 (except for an
 * empty body, which is no body on every route). A value repeated in the form becomes an array,
 * which every OAuth handler refuses (RFC 6749 §3.1) and pages read as a list (checkboxes).
 */
export function registerFormParser(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(
    FORM_CONTENT_TYPE,
    { parseAs: 'string', bodyLimit: MAX_FORM_BYTES },
    (request, body, done) => {
      if (API_PREFIXES.some((prefix) => request.url.startsWith(prefix))) {
        done(body === '' ? null : unsupportedMediaType(), undefined);
        return;
      }
      const form: Record<string, string | string[]> = Object.create(null);
      for (const [name, value] of new URLSearchParams(String(body))) {
        const previous = form[name];
        form[name] =
          previous === undefined
            ? value
            : [...(Array.isArray(previous) ? previous : [previous]), value];
      }
      done(null, form);
    },
  );
}

/** One string per parameter, or the name of the first that is repeated or holds a NUL. */
export function singleValues(
  form: Readonly<Record<string, unknown>> | undefined,
): { values: Record<string, string> } | { invalid: string } {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(form ?? {})) {
    if (typeof value !== 'string' || value.includes('\0')) return { invalid: name };
    values[name] = value;
  }
  return { values };
}
