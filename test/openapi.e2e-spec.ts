import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApiDocument, serializeOpenApiDocument } from '../src/openapi/generate';
import { startTestApp, TestApp } from './support/test-app';

const CHECKED_IN = join(__dirname, '..', 'openapi', 'openapi.json');

/** The /v1 routes that need no credential: public catalogues of the API's own contracts. */
const PUBLIC_V1_PATHS = ['/v1/event-types'];

describe('OpenAPI document', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('is checked in exactly as the code generates it (run `npm run openapi` after changing routes)', async () => {
    expect(serializeOpenApiDocument(await generateOpenApiDocument())).toBe(
      readFileSync(CHECKED_IN, 'utf8'),
    );
  });

  it('is served at /v1/openapi.json, the same document as the file', async () => {
    const served = await app.request('GET', '/v1/openapi.json');
    expect(served.status).toBe(200);
    expect(served.body).toEqual(JSON.parse(readFileSync(CHECKED_IN, 'utf8')));
  });

  it('documents every route with its scopes and problem responses', () => {
    const document = JSON.parse(readFileSync(CHECKED_IN, 'utf8'));
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(
        item as Record<string, { security?: unknown; responses: Record<string, unknown> }>,
      ).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.map(({ method, path }) => `${method.toUpperCase()} ${path}`)).toEqual(
      expect.arrayContaining([
        'POST /v1/orders',
        'POST /v1/orders/{id}/cancel',
        'PATCH /v1/products/{id}',
        'GET /v1/events',
        'POST /v1/inventory/adjustments',
        'DELETE /v1/customers/{id}',
      ]),
    );
    const authenticated = operations.filter(
      ({ path }) => path.startsWith('/v1/') && !PUBLIC_V1_PATHS.includes(path),
    );
    for (const { path, op } of authenticated) {
      expect({ path, security: op.security }).toEqual({
        path,
        security: [{ bearer: expect.any(Array) }],
      });
      expect(Object.keys(op.responses)).toEqual(
        expect.arrayContaining(['400', '401', '403', '500']),
      );
    }
    expect(document.components.schemas.CreateOrderDto.required).toEqual(['email', 'lineItems']);
    expect(document.components.schemas.CreateLineItemDto).toBeDefined();
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
