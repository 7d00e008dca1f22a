import type { FastifyCorsOptions } from '@fastify/cors';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error';

/**
 * The URL spaces web pages of any origin may call (docs/decisions.md, "Browsers and CORS"): the
 * store API under /v1 (the OpenAPI document with it) and /graphql, which take bearer tokens
 * only, and OAuth's machine endpoints, which browser apps (public clients with PKCE) call for
 * their tokens. Not the platform administration, the sign-in and consent pages, /docs, health
 * or metrics: no page of another origin has a reason to call them.
 */
const OPEN_TO_BROWSERS =
  /^\/(?:v1\/(?!platform(?:[/?]|$))|graphql(?:[?]|$)|oauth\/(?:token|revoke|introspect)(?:[?]|$)|\.well-known\/oauth-authorization-server(?:[?]|$))/;

/** The request headers the API reads, beyond those browsers always allow. */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'If-Match',
  'X-Request-Id',
  'traceparent',
  'tracestate',
] as const;

/** The response headers a page may read, beyond those browsers always expose. */
export const CORS_EXPOSED_HEADERS = [
  'ETag',
  'Link',
  'Location',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Idempotent-Replayed',
  'WWW-Authenticate',
  'X-Request-Id',
  'Deprecation',
  'Sunset',
] as const;

/**
 * Any origin, never with credentials: the API authenticates by the Authorization header alone,
 * which a page can only send when it holds the token, so an allow-list of origins would protect
 * nothing, and `Access-Control-Allow-Credentials` is never sent, so no cookie ever rides along.
 * (Which credentials a page of another origin may present is the guard's rule:
 * src/auth/browser-credentials.ts.)
 */
const OPEN: FastifyCorsOptions = {
  origin: '*',
  credentials: false,
  methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
  allowedHeaders: [...CORS_ALLOWED_HEADERS],
  exposedHeaders: [...CORS_EXPOSED_HEADERS],
  // Chromium's ceiling: a page sends one preflight per URL and method every two hours at most.
  maxAge: 7200,
  // A bare OPTIONS (no Origin) is answered like a preflight rather than as a plain-text 400.
  strictPreflight: false,
};

/** @fastify/cors's per-request options (through Nest's `enableCors`): by URL, as a preflight has no route of its own. */
export function corsOptionsFor(
  request: FastifyRequest,
  callback: (error: Error | null, options?: FastifyCorsOptions) => void,
): void {
  if (OPEN_TO_BROWSERS.test(request.url)) return callback(null, OPEN);
  // A preflight elsewhere is refused in words (a 404 would say the route does not exist).
  if (request.method === 'OPTIONS' && request.headers['access-control-request-method'])
    return callback(
      new DomainError(
        'forbidden',
        'This path does not accept calls from web pages of other origins (see docs/api.md#cors).',
      ),
    );
  callback(null, { origin: false });
}
