import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from '@readme/openapi-parser';
import { isHostedPagePath } from '../src/hosted-ui/hosted-paths';
import { AUTHORIZATION_PARAMETERS } from '../src/oauth/authorization-request';
import { generateOpenApiDocument, serializeOpenApiDocument } from '../src/app/contracts';
import { registeredRoutes } from './support/fastify-routes';
import { checkedInDocument, operationsOf } from './support/openapi-document';
import { startTestApp, TestApp } from './support/test-app';

const CHECKED_IN = join(__dirname, '..', 'openapi', 'openapi.json');

/**
 * Routes the server registers that the document leaves out on purpose: pages and files for
 * people, not operations for clients. Each must stay registered (or leave this list), and any
 * route that is neither here nor in the document fails below.
 */
const LEFT_OUT = [
  // Swagger UI, the human view of this document, and its files (served from swagger-ui-dist).
  'GET /docs',
  'GET /docs/',
  'GET /docs/*',
  'GET /docs/index.html',
  'GET /docs/LICENSE',
  'GET /docs/swagger-ui-init.js',
  'GET /docs/docs/swagger-ui-init.js',
  // The GraphQL explorer's files (outside production); its page is GET /graphql with Accept: text/html.
  'GET /graphql/explorer/{file}',
  // CORS preflights: @fastify/cors's catch-all and Apollo's own on /graphql, which the CORS hook
  // answers first. CORS is described once, in docs/api.md, not per path.
  'OPTIONS *',
  'OPTIONS /graphql',
];

/** The /v1 routes that need no credential: public catalogues of the API's own contracts. */
const PUBLIC_V1_PATHS = ['/v1/event-types'];

describe('OpenAPI document', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('is checked in exactly as the code generates it (run `npm run contracts` after changing routes)', async () => {
    expect(serializeOpenApiDocument(await generateOpenApiDocument())).toBe(
      readFileSync(CHECKED_IN, 'utf8'),
    );
  });

  it('is a valid OpenAPI 3 document, every $ref resolving', async () => {
    const result = await validate(JSON.parse(readFileSync(CHECKED_IN, 'utf8')));
    expect(result).toMatchObject({ valid: true, specification: 'OpenAPI' });
  });

  it('is served at /v1/openapi.json, the same document as the file, and as YAML', async () => {
    const served = await app.request('GET', '/v1/openapi.json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(JSON.parse(readFileSync(CHECKED_IN, 'utf8')));
    const yaml = await app.request('GET', '/v1/openapi.yaml');
    expect(yaml.status).toBe(200);
    expect(yaml.headers.get('content-type')).toMatch(/^text\/yaml/);
    expect(yaml.text).toMatch(/^openapi: 3\.0\.0$/m);
  });

  it('describes every route the server registers, and only those, but for the few left out on purpose', async () => {
    const fastify = app.running.app.getHttpAdapter().getInstance();
    const registered = registeredRoutes(fastify);
    const key = (route: { method: string; path: string }) => `${route.method} ${route.path}`;
    const gets = new Set(registered.filter((r) => r.method === 'GET').map((r) => r.path));
    // Fastify answers HEAD for every GET route with the GET's headers; a HEAD of its own would
    // need a description.
    // The hosted UI's pages are for browsers, not API clients (CONTRACT.md: the document
    // describes every route outside them).
    const served = registered
      .filter((route) => !(route.method === 'HEAD' && gets.has(route.path)))
      .filter((route) => !isHostedPagePath(route.path))
      .map(key);
    const documented = operationsOf(checkedInDocument()).map(key);

    const undocumented = served.filter((route) => !documented.includes(route));
    expect(undocumented.filter((route) => !LEFT_OUT.includes(route))).toEqual([]);
    expect(documented.filter((route) => !served.includes(route))).toEqual([]);
    // The list shrinks with the routes it names.
    expect(LEFT_OUT.filter((route) => !served.includes(route))).toEqual([]);
    expect(documented).toEqual(
      expect.arrayContaining([
        'GET /v1/openapi.json',
        'GET /.well-known/oauth-authorization-server',
        'GET /oauth/authorize',
        'POST /oauth/authorize',
        'POST /oauth/sign-in',
        'POST /oauth/token',
        'POST /oauth/revoke',
        'POST /oauth/introspect',
        'GET /health/live',
        'GET /health/ready',
        'GET /metrics',
        'POST /graphql',
        'GET /graphql',
      ]),
    );
  });

  it('documents every store route with its scopes, its credentials and its problem responses', () => {
    const document = checkedInDocument();
    const operations = operationsOf(document);
    expect(operations.map(({ method, path }) => `${method} ${path}`)).toEqual(
      expect.arrayContaining([
        'POST /v1/orders',
        'POST /v1/orders/{id}/cancel',
        'PATCH /v1/products/{id}',
        'GET /v1/events',
        'POST /v1/inventory/adjustments',
        'DELETE /v1/customers/{id}',
      ]),
    );
    const api = operations.filter(
      ({ path }) =>
        path.startsWith('/v1/') &&
        !path.startsWith('/v1/openapi.') &&
        !PUBLIC_V1_PATHS.includes(path),
    );
    for (const { path, operation } of api) {
      const scopes = operation['x-required-scopes'];
      expect({ path, scopes }).toEqual({ path, scopes: expect.any(Array) });
      // A store route takes an API key or an OAuth app's token; the platform, its admin token.
      const security = path.startsWith('/v1/platform/')
        ? [{ bearer: scopes }]
        : [{ bearer: scopes }, { oauth2: scopes }];
      expect({ path, security: operation.security }).toEqual({ path, security });
      expect(Object.keys(operation.responses)).toEqual(
        expect.arrayContaining(['400', '401', '403', '500']),
      );
    }
    expect(document.components.schemas.CreateOrderDto.required).toEqual(['email', 'lineItems']);
    expect(document.components.schemas.CreateLineItemDto).toBeDefined();
  });

  it('names the security schemes: bearer tokens, OAuth 2.0 flows, Basic client authentication, the metrics token', () => {
    const { securitySchemes } = checkedInDocument().components;
    expect(securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(securitySchemes.basic).toMatchObject({ type: 'http', scheme: 'basic' });
    expect(securitySchemes.metrics).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(securitySchemes.oauth2).toMatchObject({
      type: 'oauth2',
      flows: {
        authorizationCode: {
          authorizationUrl: '/oauth/authorize',
          tokenUrl: '/oauth/token',
          scopes: expect.objectContaining({ read_products: expect.any(String) }),
        },
        clientCredentials: { tokenUrl: '/oauth/token' },
      },
    });
    const { paths } = checkedInDocument();
    // Open unless METRICS_TOKEN is set.
    expect(paths['/metrics'].get.security).toEqual([{ metrics: [] }, {}]);
    expect(paths['/metrics'].get.responses['401']).toBeDefined();
    // Basic, or client_id (and client_secret) in the form.
    expect(paths['/oauth/token'].post.security).toEqual([{ basic: [] }, {}]);
  });

  it('describes the OAuth endpoints in their own formats: form bodies per grant, RFC 6749 errors', () => {
    const document = checkedInDocument();
    const { paths, components } = document;
    const token = paths['/oauth/token'].post;
    const form = token.requestBody!.content['application/x-www-form-urlencoded'].schema as {
      oneOf: { $ref: string }[];
    };
    const grants = form.oneOf.map(({ $ref }) => {
      const schema = components.schemas[$ref.replace('#/components/schemas/', '')];
      return { grant: schema.properties!.grant_type, required: schema.required };
    });
    expect(grants).toEqual([
      {
        grant: { type: 'string', enum: ['authorization_code'] },
        required: ['grant_type', 'code', 'redirect_uri'],
      },
      {
        grant: { type: 'string', enum: ['refresh_token'] },
        required: ['grant_type', 'refresh_token'],
      },
      { grant: { type: 'string', enum: ['client_credentials'] }, required: ['grant_type'] },
    ]);
    expect(components.schemas.OAuthErrorResponse.properties).toEqual({
      error: expect.objectContaining({ type: 'string' }),
      error_description: expect.objectContaining({ type: 'string' }),
      error_uri: expect.objectContaining({ type: 'string', format: 'uri' }),
    });
    for (const path of ['/oauth/token', '/oauth/revoke', '/oauth/introspect']) {
      const operation = paths[path].post;
      expect(Object.keys(operation.requestBody!.content)).toEqual([
        'application/x-www-form-urlencoded',
      ]);
      for (const status of ['400', '401', '429'])
        expect(operation.responses[status].content).toEqual({
          'application/json': { schema: { $ref: '#/components/schemas/OAuthErrorResponse' } },
        });
    }
    expect(token.responses['200'].content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/TokenResponse' } },
    });
    expect(paths['/oauth/introspect'].post.responses['200'].content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/IntrospectionResponse' } },
    });
    expect(paths['/.well-known/oauth-authorization-server'].get.responses['200'].content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/AuthorizationServerMetadata' } },
    });
  });

  it('marks the sign-in and consent pages as HTML, with their form fields', () => {
    const { paths, components } = checkedInDocument();
    const pages = [paths['/oauth/authorize'].get, paths['/oauth/authorize'].post];
    pages.push(paths['/oauth/sign-in'].post);
    for (const page of pages) {
      const html = Object.entries(page.responses).filter(([, response]) =>
        Object.keys(response.content ?? {}).includes('text/html'),
      );
      expect(html.length).toBeGreaterThan(0);
    }
    expect(paths['/oauth/authorize'].get.responses['200'].content).toEqual({
      'text/html': { schema: { type: 'string' } },
    });
    // The parameters the page reads (and carries through its forms), each documented.
    expect(paths['/oauth/authorize'].get.parameters!.map(({ name }) => name)).toEqual([
      ...AUTHORIZATION_PARAMETERS,
    ]);
    expect(components.schemas.SignInForm.required).toEqual(['_csrf', 'email', 'password']);
    expect(components.schemas.ConsentForm.required).toEqual(
      expect.arrayContaining(['_csrf', 'decision']),
    );
  });

  it('serves human docs at /docs from local packages, with no CDN', async () => {
    const page = await app.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui');
    expect(page.text).not.toMatch(/https?:\/\/(?!localhost|127\.0\.0\.1)[^"']*\.(js|css)/);
    const script = /src="\.?\/?([^"]*swagger-ui-bundle\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    const asset = await app.request('GET', `/docs/${script!.replace(/^docs\//, '')}`);
    expect(asset.status).toBe(200);
  });
});
