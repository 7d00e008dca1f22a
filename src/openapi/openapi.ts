import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, OperationObject, SwaggerModule } from '@nestjs/swagger';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { SCOPE_DESCRIPTIONS } from '../common/scopes';
import type { AppConfig } from '../config/config';
import { GRAPHQL_PATH_ITEM } from '../graphql/graphql-openapi';
import { documentCommonResponses } from './common-responses';
import { PROBLEM_SCHEMA } from './problem.schema';

/**
 * The OpenAPI 3 document of every route the server answers outside the hosted pages, built from
 * the code: Nest's swagger module walks the controllers; request schemas come from the same
 * class-validator rules that validate requests, so the document cannot drift from what the API
 * accepts. Routes mounted outside Nest's controllers are described beside where they are
 * mounted (`MOUNTED_PATHS`). test/openapi.e2e-spec.ts compares the paths with Fastify's routes.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Dukkadee platform API')
    .setDescription(
      'REST v1 of the Dukkadee platform, its OAuth 2.0 authorization server, GraphQL and operations endpoints. Errors of the JSON API are RFC 9457 problem documents, those of OAuth are RFC 6749 errors; every answer carries X-Request-Id, X-Content-Type-Options: nosniff, Cache-Control as documented per response, and Strict-Transport-Security when served over HTTPS. See docs/api.md.',
    )
    .setVersion('v1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'opaque',
        description:
          'An API key (dk_live_…, dk_test_…), an OAuth 2.0 access token (dk_oat_…; see /.well-known/oauth-authorization-server) or the platform admin token.',
      },
      'bearer',
    )
    .addOAuth2(
      {
        type: 'oauth2',
        description:
          'OAuth 2.0 apps (docs/authentication.md): the authorization code flow with PKCE (S256, required of public apps) for any store that installs the app, client credentials for an app created for one store. The token is then sent as a bearer token.',
        flows: {
          authorizationCode: {
            authorizationUrl: '/oauth/authorize',
            tokenUrl: '/oauth/token',
            refreshUrl: '/oauth/token',
            scopes: { ...SCOPE_DESCRIPTIONS },
          },
          clientCredentials: { tokenUrl: '/oauth/token', scopes: { ...SCOPE_DESCRIPTIONS } },
        },
      },
      'oauth2',
    )
    .addBasicAuth(
      {
        type: 'http',
        scheme: 'basic',
        description:
          'OAuth client authentication (client_secret_basic): the app’s clientId and clientSecret, each form-encoded (RFC 6749 §2.3.1).',
      },
      'basic',
    )
    .addSecurity('metrics', {
      type: 'http',
      scheme: 'bearer',
      description: 'METRICS_TOKEN, when it is set; /metrics is open otherwise.',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) =>
      `${controller.replace(/Controller$/, '')}_${method}`,
  });
  Object.assign(document.paths, MOUNTED_PATHS);
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
      documentCommonResponses(document, path, method, operation as OperationObject);
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

const documentItem = (mediaType: string, format: string): OpenAPIObject['paths'][string] => ({
  get: {
    operationId: `OpenApi_${format}`,
    tags: ['Documentation'],
    summary: `This document, in ${format.toUpperCase()}`,
    description:
      'The same document as openapi/openapi.json in the repository. Human documentation (Swagger UI) is at /docs.',
    responses: {
      '200': {
        description: 'An OpenAPI 3.0 document',
        content: { [mediaType]: { schema: { type: 'object', additionalProperties: true } } },
      },
    },
  },
});

/**
 * The routes mounted outside Nest's controllers, described here: the document's own two
 * (mounted just above) and GraphQL's. /docs (Swagger UI) and the GraphQL explorer are pages for
 * people, left out like the hosted UI (test/openapi.e2e-spec.ts lists them).
 */
const MOUNTED_PATHS: OpenAPIObject['paths'] = {
  '/v1/openapi.json': documentItem('application/json', 'json'),
  '/v1/openapi.yaml': documentItem('text/yaml', 'yaml'),
  '/graphql': GRAPHQL_PATH_ITEM,
};
