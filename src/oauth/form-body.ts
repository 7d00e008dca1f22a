import type { FastifyInstance } from 'fastify';
import { unsupportedMediaType } from '../common/http/body-parsers';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';
/** Forms are small: a sign-in, a consent, a token request. */
export const MAX_FORM_BYTES = 16 * 1024;

/**
 * OAuth speaks HTML forms and `application/x-www-form-urlencoded` (RFC 6749 §3.2), which the
 * JSON API refuses: the parser answers only under `/oauth/`, and 415 everywhere else (except for
 * an empty body, which is no body on every route). A value repeated in the form becomes an array,
 * which every OAuth handler refuses (RFC 6749 §3.1).
 */
export function registerFormParser(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(
    FORM_CONTENT_TYPE,
    { parseAs: 'string', bodyLimit: MAX_FORM_BYTES },
    (request, body, done) => {
      if (!request.url.startsWith('/oauth/')) {
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
