import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import type { AppConfig } from '../config/config';
import { PROBLEM_SCHEMA } from './problem.schema';

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

/**
 * The OpenAPI 3 document of every route, built from the code: Nest's swagger module walks the
 * controllers; request schemas come from the same class-validator rules that validate requests,
 * so the document cannot drift from what the API accepts.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Dukkadee platform API')
    .setDescription(
      'REST v1 of the Dukkadee platform. Errors are RFC 9457 problem documents; see docs/api.md.',
    )
    .setVersion('v1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description:
          'An API key (dk_live_…, dk_test_…), an OAuth 2.0 access token (dk_oat_…; see /.well-known/oauth-authorization-server) or the platform admin token.',
      },
      'bearer',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) =>
      `${controller.replace(/Controller$/, '')}_${method}`,
  });
  const schemas = (document.components ??= {}).schemas ?? {};
  const validated = validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    classTransformerMetadataStorage: defaultMetadataStorage,
  });
  // Every validated class (bodies and the DTOs nested in them); unknown fields are refused.
  for (const [name, schema] of Object.entries(validated))
    schemas[name] = { ...schema, additionalProperties: false } as never;
  schemas.Problem = PROBLEM_SCHEMA;
  document.components.schemas = Object.fromEntries(
    Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)),
  );
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
      const parameters = [...(operation.parameters ?? []), ...headerParameters(method, path)];
      operation.parameters = parameters;
      const conditional = parameters.some(
        (parameter) => 'name' in parameter && parameter.name === 'If-Match',
      );
      const authenticated = operation.security !== undefined;
      const throttled = authenticated && !path.startsWith('/v1/platform/');
      for (const status of problemStatuses(method, path, {
        authenticated,
        throttled,
        conditional,
      })) {
        operation.responses[status] ??= {
          description: PROBLEM_DESCRIPTIONS[status],
          content: { 'application/problem+json': { schema: PROBLEM_REF } },
        };
      }
      if (throttled) documentRateLimitHeaders(operation.responses);
    }
  }
  document.components.schemas = referencedSchemas(document);
  return document;
}

/** Only the schemas the paths reach (mapped DTO types leave intermediate classes behind). */
function referencedSchemas(
  document: OpenAPIObject,
): NonNullable<OpenAPIObject['components']>['schemas'] {
  const all = document.components?.schemas ?? {};
  const reached = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const name = value.replace('#/components/schemas/', '');
        if (!reached.has(name)) {
          reached.add(name);
          visit(all[name]);
        }
      } else visit(value);
    }
  };
  visit(document.paths);
  return Object.fromEntries(Object.entries(all).filter(([name]) => reached.has(name)));
}

/** Serves the document at /v1/openapi.json and human docs at /docs, both from local packages. */
export function mountOpenApi(app: INestApplication, _config: AppConfig): void {
  let document: OpenAPIObject | undefined;
  SwaggerModule.setup('docs', app, () => (document ??= buildOpenApiDocument(app)), {
    jsonDocumentUrl: 'v1/openapi.json',
    yamlDocumentUrl: 'v1/openapi.yaml',
    customSiteTitle: 'Dukkadee API v1',
  });
}

const PROBLEM_DESCRIPTIONS: Record<string, string> = {
  '400': 'Invalid input (validation_failed, with every invalid field in errors[])',
  '401': 'Missing, invalid or revoked credential (unauthenticated)',
  '403': 'The credential lacks a scope (insufficient_scope)',
  '404': 'No such resource in this store (not_found)',
  '409':
    'Conflict: already_exists, insufficient_inventory, invalid_state_transition or idempotency_key_in_use',
  '412': 'If-Match is stale (version_conflict, with currentVersion)',
  '413': 'Body over 1 MiB (payload_too_large)',
  '415': 'Body is not application/json (unsupported_media_type)',
  '422': 'Idempotency-Key reused with another request (idempotency_key_reused)',
  '429':
    'The credential’s rate-limit bucket for this store is empty (rate_limited); retry after Retry-After seconds',
  '500': 'Unexpected error (internal_error); quote the requestId',
  '503': 'Starting or database unreachable (service_unavailable); retry after Retry-After',
};

/** Idempotency-Key on store POSTs (the interceptor's rule); If-Match comes from the IfMatch decorator. */
function headerParameters(method: string, path: string) {
  const headers = [];
  if (method === 'post' && path.startsWith('/v1/') && !path.startsWith('/v1/platform/')) {
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
function documentRateLimitHeaders(responses: Record<string, unknown>): void {
  const integer = (description: string) => ({ description, schema: { type: 'integer' } });
  for (const [status, response] of Object.entries(responses)) {
    if (status === '401' || typeof response !== 'object' || response === null) continue;
    const headers = ((response as { headers?: Record<string, unknown> }).headers ??= {});
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
