import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';
import { ALWAYS_SERVED } from '../database/database-state';
import { DEFAULT_CACHE_CONTROL } from '../common/http/response-headers';

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

/**
 * What every operation answers beside what its route declares, from the rules that produce it:
 * the problem responses of the JSON API (validation, credentials, the interceptors), the
 * `RateLimit-*` headers, the Idempotency-Key header, the problems every route can answer (413,
 * 415, 500, the 503 while starting) and `Cache-Control` on every response. Operations are
 * grouped by the controller that serves them unless they name their tags.
 */
export function documentCommonResponses(
  document: OpenAPIObject,
  path: string,
  method: string,
  operation: OperationObject,
): void {
  if (isJsonApi(path)) documentJsonApi(path, method, operation);
  else documentOtherProblems(path, operation);
  documentCacheControl(document, operation);
}

/** The JSON API under /v1 (not the document itself). */
function isJsonApi(path: string): boolean {
  return path.startsWith('/v1/') && !path.startsWith('/v1/openapi.');
}

function documentJsonApi(path: string, method: string, operation: OperationObject): void {
  const parameters = [...(operation.parameters ?? []), ...headerParameters(method, path)];
  operation.parameters = parameters;
  const conditional = parameters.some(
    (parameter) => 'name' in parameter && parameter.name === 'If-Match',
  );
  const authenticated = operation.security !== undefined;
  const throttled = authenticated && !path.startsWith('/v1/platform/');
  for (const status of problemStatuses(method, path, { authenticated, throttled, conditional }))
    operation.responses[status] ??= problem(status);
  if (throttled) documentRateLimitHeaders(operation.responses);
}

/** OAuth, GraphQL, health and metrics answer their own errors; these come from the framework. */
function documentOtherProblems(path: string, operation: OperationObject): void {
  const statuses = operation.requestBody ? ['413', '415', '500'] : ['500'];
  if (!ALWAYS_SERVED.test(path)) statuses.push('503');
  for (const status of statuses) operation.responses[status] ??= problem(status);
}

function problem(status: string): ResponseObject {
  return {
    description: PROBLEM_DESCRIPTIONS[status],
    content: { 'application/problem+json': { schema: PROBLEM_REF } },
  };
}

const CACHE_CONTROL_DESCRIPTIONS: Record<string, string> = {
  [DEFAULT_CACHE_CONTROL]:
    'Only this client may keep the answer, and it revalidates it (with the ETag) before reuse',
  'no-store': 'No cache may keep the answer (a secret shown once, or a live state)',
};

/**
 * The `Cache-Control` the response hook sends (src/app/http-hooks.ts): the route's declaration
 * (`x-cache-control`, from `@CacheControl` and `@CarriesSecret`) on every response, or the
 * default. A response that documents its own header (GraphQL's) keeps it.
 */
function documentCacheControl(document: OpenAPIObject, operation: OperationObject): void {
  const extended = operation as OperationObject & { 'x-cache-control'?: string };
  const value = extended['x-cache-control'] ?? DEFAULT_CACHE_CONTROL;
  delete extended['x-cache-control'];
  const name = `CacheControl_${value.replace(/[^a-z0-9]+/gi, '_')}`;
  (document.components!.headers ??= {})[name] = {
    description: CACHE_CONTROL_DESCRIPTIONS[value] ?? 'How the answer may be cached',
    schema: { type: 'string', enum: [value] },
  };
  for (const response of Object.values(operation.responses)) {
    if (!response || '$ref' in response) continue;
    (response.headers ??= {})['Cache-Control'] ??= { $ref: `#/components/headers/${name}` };
  }
}

const PROBLEM_DESCRIPTIONS: Record<string, string> = {
  '400': 'Invalid input (validation_failed, with every invalid field in errors[])',
  '401': 'Missing, invalid or revoked credential (unauthenticated)',
  '403':
    'The credential lacks a scope (insufficient_scope), or is an API key sent by a web page of another origin (forbidden)',
  '404': 'No such resource in this store (not_found)',
  '409':
    'Conflict: already_exists, insufficient_inventory, invalid_state_transition or idempotency_key_in_use',
  '412': 'If-Match is stale (version_conflict, with currentVersion)',
  '413': 'Body over its limit: 1 MiB, 16 KiB for OAuth forms (payload_too_large)',
  '415': 'Body of another media type than the operation takes (unsupported_media_type)',
  '422': 'Idempotency-Key reused with another request (idempotency_key_reused)',
  '429':
    'The credential’s rate-limit bucket for this store is empty (rate_limited); retry after Retry-After seconds',
  '500': 'Unexpected error (internal_error); quote the requestId',
  '503':
    'Starting or database unreachable (service_unavailable), or too busy to serve in time (service_busy); retry after Retry-After',
};

/** Idempotency-Key on store POSTs (the interceptor's rule); If-Match comes from the IfMatch decorator. */
function headerParameters(method: string, path: string) {
  const headers = [];
  if (method === 'post' && !path.startsWith('/v1/platform/')) {
    headers.push({
      name: 'Idempotency-Key',
      in: 'header' as const,
      required: false,
      description: 'Replays the first answer for 24 hours (see docs/api.md#idempotency)',
      schema: { type: 'string' as const, maxLength: 255 },
    });
  }
  return headers;
}

/**
 * Every authenticated store call answers RateLimit-* (docs/rate-limits.md), and 429 adds
 * Retry-After; the platform admin is not throttled.
 */
function documentRateLimitHeaders(responses: OperationObject['responses']): void {
  const integer = (description: string) => ({ description, schema: { type: 'integer' as const } });
  for (const [status, response] of Object.entries(responses)) {
    if (status === '401' || !response || '$ref' in response) continue;
    const headers = (response.headers ??= {});
    headers['RateLimit-Limit'] = integer('Size of the credential’s bucket for this store');
    headers['RateLimit-Remaining'] = integer('Requests left in the bucket');
    headers['RateLimit-Reset'] = integer('Seconds until the bucket is full again');
    if (status === '429') headers['Retry-After'] = integer('Seconds until the request may succeed');
  }
}

function problemStatuses(
  method: string,
  path: string,
  {
    authenticated,
    throttled,
    conditional,
  }: { authenticated: boolean; throttled: boolean; conditional: boolean },
): string[] {
  const statuses = ['400'];
  if (authenticated) statuses.push('401', '403');
  if (path.includes('{')) statuses.push('404');
  if (method === 'post' || method === 'patch' || method === 'delete') statuses.push('409');
  if (conditional) statuses.push('412');
  if (method === 'post' || method === 'patch') statuses.push('413', '415');
  if (method === 'post') statuses.push('422');
  if (throttled) statuses.push('429');
  statuses.push('500', '503');
  return statuses;
}
