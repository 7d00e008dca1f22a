import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCOPES } from '../src/auth/scopes';
import { approve, authorizePath, Browser, createStaff, registerApp } from './support/oauth';
import { HttpResponse, RequestOptions, startTestApp, TestApp } from './support/test-app';

/**
 * Hostile input on every route of the OpenAPI document: wrong types, unknown fields, NUL bytes,
 * numbers beyond 2^53, deep JSON, malformed and foreign ids, bad query parameters and headers.
 * Each must answer a 4xx problem and change nothing in either store or the platform. The routes
 * come from openapi/openapi.json (itself checked against the code), so a new route is swept
 * without editing this file, or fails here until its fixtures are named below.
 */

interface SchemaObject {
  type?: string;
  nullable?: boolean;
  allOf?: SchemaObject[];
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
  additionalProperties?: boolean | SchemaObject;
  $ref?: string;
}

interface Operation {
  method: string;
  path: string;
  bodySchema?: SchemaObject;
  parameters: { name: string; in: string }[];
  /** The 2xx status the document promises. */
  successStatus: number;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string }[];
        requestBody?: { content: Record<string, { schema: SchemaObject }> };
        responses: Record<string, unknown>;
      }
    >
  >;
  components: { schemas: Record<string, SchemaObject> };
}

const document: OpenApiDocument = JSON.parse(
  readFileSync(join(__dirname, '..', 'openapi', 'openapi.json'), 'utf8'),
);

/** Every store and platform route; health, metrics and the document itself take no input. */
const operations: Operation[] = Object.entries(document.paths)
  .filter(([path]) => path.startsWith('/v1/') && !path.startsWith('/v1/openapi'))
  .flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      bodySchema: operation.requestBody?.content['application/json']?.schema,
      parameters: operation.parameters ?? [],
      successStatus: Number(Object.keys(operation.responses).find((status) => /^2/.test(status))),
    })),
  );

function resolve(schema: SchemaObject): SchemaObject {
  if (schema.$ref)
    return resolve(document.components.schemas[schema.$ref.replace('#/components/schemas/', '')]);
  // A nullable reference: `{ type: 'object', nullable: true, allOf: [{ $ref }] }`.
  return schema.allOf?.length === 1 ? resolve(schema.allOf[0]) : schema;
}

const HUGE = '__huge_number__';

/** A value of another JSON type than the schema asks for. */
function wrongType(schema: SchemaObject): unknown {
  switch (resolve(schema).type) {
    case 'string':
      return 42;
    case 'integer':
    case 'number':
      return '12';
    case 'boolean':
      return 'true';
    case 'array':
      return { length: 1 };
    default:
      return ['object'];
  }
}

/** One broken copy of a valid body per rule and per field, down nested objects and array items. */
function mutations(valid: unknown, schema: SchemaObject, path = ''): [string, unknown][] {
  const resolved = resolve(schema);
  const at = (value: unknown): [string, unknown] => [path, value];
  const own: [string, unknown][] =
    path === '' ? [] : [at(wrongType(resolved)), ...(schema.nullable ? [] : [at(null)])];
  if (resolved.type === 'string') own.push(at(`a\u0000b`));
  if (resolved.type === 'integer' || resolved.type === 'number') own.push(at(HUGE), at(1.5));
  if (resolved.type === 'object' || resolved.properties) {
    // An object the schema leaves open (a sync item's `data`) is checked item by item instead.
    if (resolved.additionalProperties !== true) own.push([`${path}.unknownField`, 'x']);
    for (const [key, value] of Object.entries(valid as Record<string, unknown>)) {
      const property = resolved.properties?.[key];
      if (property) own.push(...mutations(value, property, `${path}.${key}`));
    }
  }
  if (resolved.type === 'array' && resolved.items && Array.isArray(valid) && valid.length > 0)
    own.push(...mutations(valid[0], resolved.items, `${path}.0`));
  return own;
}

/** The valid body with the value at a dotted path replaced, as raw JSON text. */
function withValueAt(valid: unknown, dottedPath: string, value: unknown): string {
  const copy = structuredClone(valid) as Record<string, unknown>;
  const keys = dottedPath.split('.').slice(1);
  let target: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[keys[keys.length - 1]] = value;
  return JSON.stringify(copy).replace(`"${HUGE}"`, '9007199254740993');
}

describe('hostile input on every route', () => {
  let app: TestApp;
  let own: Fixture;
  let foreign: Fixture;

  interface Fixture {
    storeId: string;
    key: string;
    keyId: string;
    appId: string;
    installationId: string;
    conflictId: string;
    ids: Record<string, string>;
    variantId: string;
  }

  /** An open sync conflict: a customer edited on both sides in the same field. */
  async function openConflict(token: string): Promise<string> {
    const push = (batchId: string, lastName: string) =>
      app.request('POST', '/v1/sync/push', {
        token,
        body: {
          batchId,
          changes: [
            {
              resource: 'customer',
              externalId: 'local-customer',
              baseVersion: 1,
              data: { email: 'synced@example.com', lastName },
            },
          ],
        },
      });
    const first = await app.request('POST', '/v1/sync/push', {
      token,
      body: {
        batchId: 'fixture-0',
        changes: [
          {
            resource: 'customer',
            externalId: 'local-customer',
            baseVersion: null,
            data: { email: 'synced@example.com', lastName: 'Base' },
          },
        ],
      },
    });
    await app.request('PATCH', `/v1/customers/${first.body.results[0].id}`, {
      token,
      body: { lastName: 'Platform' },
    });
    const clash = await push('fixture-1', 'Self');
    return clash.body.results[0].conflict.id;
  }

  /** An app installed on the store through sign-in and consent, as a merchant would. */
  async function installApp(storeId: string): Promise<{ appId: string; installationId: string }> {
    const email = `owner-${storeId}@example.com`;
    const password = 'correct horse battery staple';
    await createStaff(app, storeId, email, password);
    const registered = await registerApp(app, { confidential: true, scopes: ['read_products'] });
    await approve(
      new Browser(app.url),
      authorizePath({
        response_type: 'code',
        client_id: registered.clientId,
        redirect_uri: registered.redirectUri,
        state: 'sweep',
      }),
      { email, password },
    );
    const installations = await app.request('GET', `/v1/platform/stores/${storeId}/installations`, {
      token: app.adminToken,
    });
    return { appId: registered.id, installationId: installations.body.data[0].id };
  }

  async function createFixture(handle: string): Promise<Fixture> {
    const store = await app.createStore([...SCOPES], handle);
    const token = store.key;
    const product = await app.request('POST', '/v1/products', {
      token,
      body: { title: 'Mug', variants: [{ sku: 'MUG', price: 1200, inventoryQuantity: 50 }] },
    });
    const customer = await app.request('POST', '/v1/customers', {
      token,
      body: { email: 'ann@example.com' },
    });
    const variantId = product.body.variants[0].id;
    const order = await app.request('POST', '/v1/orders', {
      token,
      body: { email: 'ann@example.com', lineItems: [{ variantId, quantity: 1 }] },
    });
    const subscription = await app.request('POST', '/v1/webhook-subscriptions', {
      token,
      body: { url: 'http://127.0.0.1:9/hook', topics: ['order.*'] },
    });
    const test = await app.request(
      'POST',
      `/v1/webhook-subscriptions/${subscription.body.id}/test`,
      {
        token,
      },
    );
    expect([
      product.status,
      customer.status,
      order.status,
      subscription.status,
      test.status,
    ]).toEqual([201, 201, 201, 201, 202]);
    return {
      ...store,
      ...(await installApp(store.storeId)),
      conflictId: await openConflict(token),
      variantId,
      ids: {
        products: product.body.id,
        customers: customer.body.id,
        orders: order.body.id,
        'webhook-subscriptions': subscription.body.id,
        'webhook-deliveries': test.body.id,
      },
    };
  }

  beforeAll(async () => {
    // Nothing is sent in the background, so the fingerprint only changes if a probe changed it.
    app = await startTestApp({ env: { WEBHOOK_DISPATCHER: 'off' } });
    own = await createFixture('own');
    foreign = await createFixture('foreign');
    // Each key's first use records lastUsedAt; use them now so the fingerprint is stable.
    await app.request('GET', '/v1/events', { token: own.key });
    await app.request('GET', '/v1/events', { token: foreign.key });
  });
  afterAll(() => app.close());

  /** Every row of both stores and the platform, except lastUsedAt, hashed. */
  async function fingerprint(): Promise<string> {
    const tables: { sql: string }[] = await app.running.dataSource.query(
      `SELECT format('SELECT %L AS t, md5(coalesce(string_agg((to_jsonb(r) - %L)::text, %L ORDER BY (to_jsonb(r) - %L)::text), %L)) AS h FROM %I.%I r',
                     table_schema || '.' || table_name, 'last_used_at', '|', 'last_used_at', '', table_schema, table_name) AS sql
         FROM information_schema.tables
        WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE'
        ORDER BY table_schema, table_name`,
      [['platform', own.storeId, foreign.storeId]],
    );
    const hashes: string[] = [];
    for (const { sql } of tables) {
      const [{ t, h }] = await app.running.dataSource.query(sql);
      hashes.push(`${t}=${h}`);
    }
    return hashes.join('\n');
  }

  /** The own fixture's value of the route's last path parameter. */
  function ownId(operation: Operation): string {
    const filled = pathFor(operation, own).split('/');
    const template = operation.path.split('/');
    return filled[template.findLastIndex((segment) => segment.startsWith('{'))];
  }

  function tokenFor(path: string, fixture: Fixture): string {
    return path.startsWith('/v1/platform/') ? app.adminToken : fixture.key;
  }

  /** The route's path with its parameters filled in from a fixture, the last one optionally replaced. */
  function pathFor(operation: Operation, fixture: Fixture, lastValue?: string): string {
    const names = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
    return operation.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
      if (lastValue !== undefined && name === names[names.length - 1]) return lastValue;
      if (name === 'storeId') return fixture.storeId;
      if (name === 'keyId') return fixture.keyId;
      if (name === 'appId') return fixture.appId;
      if (name === 'installationId') return fixture.installationId;
      if (name === 'conflictId') return fixture.conflictId;
      const id = fixture.ids[operation.path.split('/')[2]];
      if (!id) throw new Error(`No fixture for {${name}} in ${operation.path}: add one above`);
      return id;
    });
  }

  /** A body each route accepts; the sweep breaks it one field and one rule at a time. */
  function validBody(operation: Operation): unknown {
    const bodies: Record<string, unknown> = {
      'POST /v1/platform/stores': {
        name: 'Shop',
        handle: 'new-shop',
        currency: 'EUR',
        hosting: 'hosted',
      },
      'POST /v1/platform/stores/{storeId}/api-keys': {
        name: 'Key',
        scopes: ['read_products'],
      },
      'PATCH /v1/platform/stores/{storeId}/api-keys/{keyId}': {
        rateLimit: { bucket: 100, refillPerSecond: 10 },
        graphqlCost: { bucket: 1000, refillPerSecond: 50 },
      },
      'POST /v1/platform/apps': {
        name: 'App',
        redirectUris: ['https://app.example.com/callback', 'http://127.0.0.1:8080/cb'],
        scopes: ['read_products', 'write_orders'],
        confidential: true,
        storeId: own.storeId,
      },
      'PATCH /v1/platform/apps/{appId}': {
        name: 'Renamed app',
        redirectUris: ['https://app.example.com/other'],
        scopes: ['read_products'],
        rateLimit: { bucket: 100, refillPerSecond: 10 },
        graphqlCost: { bucket: 1000, refillPerSecond: 50 },
      },
      'POST /v1/sync/push': {
        batchId: 'sweep-batch',
        changes: [
          {
            resource: 'product',
            externalId: 'sweep-product',
            baseVersion: null,
            deleted: false,
            data: { title: 'Synced', variants: [{ sku: 'SYNCED', price: 100 }] },
          },
        ],
      },
      'POST /v1/sync/conflicts/{conflictId}/resolve': { keep: 'platform' },
      'PATCH /v1/sync/policies': { product: 'merge', customer: 'manual' },
      'POST /v1/platform/stores/{storeId}/staff': {
        email: 'staff@example.com',
        password: 'correct horse battery staple',
        role: 'staff',
      },
      'POST /v1/products': {
        title: 'Cup',
        tags: ['a'],
        variants: [{ sku: 'CUP', title: 'Cup', price: 900, inventoryQuantity: 3 }],
      },
      'PATCH /v1/products/{id}': { title: 'Big mug', tags: ['b'] },
      'POST /v1/customers': { email: 'bob@example.com', firstName: 'Bob' },
      'PATCH /v1/customers/{id}': { firstName: 'Robert' },
      'POST /v1/orders': {
        email: 'ann@example.com',
        lineItems: [{ variantId: own.variantId, quantity: 1 }],
      },
      'POST /v1/inventory/adjustments': { variantId: own.variantId, delta: 1, reason: 'count' },
      'POST /v1/webhook-subscriptions': { url: 'http://127.0.0.1:9/new', topics: ['order.*'] },
      'PATCH /v1/webhook-subscriptions/{id}': { topics: ['product.*'] },
      'POST /v1/webhook-subscriptions/{id}/rotate-secret': { overlapSeconds: 60 },
    };
    const key = `${operation.method} ${operation.path}`;
    if (!(key in bodies)) throw new Error(`No valid body for ${key}: add one above`);
    return bodies[key];
  }

  /**
   * A 4xx problem about the input. The keys hold every scope, so a 401 or 403 here would mean an
   * earlier probe broke the fixture (a revoked key), not that this input was refused.
   */
  function expectProblem(response: HttpResponse, what: string) {
    const summary = `${what} answered ${response.status}: ${response.text.slice(0, 300)}`;
    const refusedInput =
      response.status >= 400 &&
      response.status < 500 &&
      response.status !== 401 &&
      response.status !== 403;
    expect({ summary, refusedInput }).toEqual({ summary, refusedInput: true });
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toMatch(/^[a-z_]+$/);
  }

  async function probe(
    operation: Operation,
    what: string,
    options: RequestOptions & { path?: string },
  ) {
    const response = await app.request(operation.method, options.path ?? pathFor(operation, own), {
      token: tokenFor(operation.path, own),
      ...options,
      headers: {
        ...(options.rawBody === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
    });
    expectProblem(response, `${operation.method} ${operation.path} with ${what}`);
    return response.status;
  }

  it('lists the routes it sweeps', () => {
    expect(operations.length).toBeGreaterThanOrEqual(25);
  });

  it.each(
    operations.filter((operation) => operation.bodySchema).map((o) => [`${o.method} ${o.path}`, o]),
  )('%s: refuses a broken body, field by field, and changes nothing', async (_name, operation) => {
    const before = await fingerprint();
    const valid = validBody(operation);
    const rawBodies: [string, string][] = [
      ['an array', '[]'],
      ['a string', '"x"'],
      ['null', 'null'],
      [
        'JSON nested 40 levels',
        JSON.stringify({ ...(valid as object), x: JSON.parse('['.repeat(40) + ']'.repeat(40)) }),
      ],
      ['1e400', JSON.stringify(valid).replace(/^\{/, '{"n":1e400,')],
      ...mutations(valid, operation.bodySchema!).map(([path, value]): [string, string] => [
        `${JSON.stringify(value)} at ${path}`,
        withValueAt(valid, path, value),
      ]),
    ];
    for (const [what, rawBody] of rawBodies) await probe(operation, what, { rawBody });
    expect(await fingerprint()).toBe(before);
  });

  it.each(
    operations
      .filter((operation) => !operation.bodySchema && operation.method !== 'GET')
      .map((o) => [`${o.method} ${o.path}`, o]),
  )('%s: refuses a body where none is taken, and changes nothing', async (_name, operation) => {
    const before = await fingerprint();
    await probe(operation, 'an unexpected body', { rawBody: '{"amount":1}' });
    expect(await fingerprint()).toBe(before);
  });

  it.each(
    operations
      .filter((operation) => operation.path.includes('{'))
      .map((o) => [`${o.method} ${o.path}`, o]),
  )(
    "%s: answers 404 for another store's id, malformed ids and NUL bytes, and changes nothing",
    async (_name, operation) => {
      const before = await fingerprint();
      const body = operation.bodySchema ? JSON.stringify(validBody(operation)) : undefined;
      const foreignPath = operation.path.startsWith('/v1/platform/')
        ? null // the platform admin sees every store: there is no foreign store id for it
        : pathFor(operation, foreign);
      const variants: [string, string][] = [
        ['a malformed id', pathFor(operation, own, 'nope')],
        ['an id with a NUL byte', pathFor(operation, own, `${ownId(operation)}%00`)],
        ['an id of 10,000 characters', pathFor(operation, own, 'x'.repeat(10_000))],
      ];
      if (foreignPath) variants.push(["another store's id", foreignPath]);
      for (const [what, path] of variants) {
        const response = await app.request(operation.method, path, {
          token: tokenFor(operation.path, own),
          rawBody: body,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
        });
        expectProblem(response, `${operation.method} ${operation.path} with ${what}`);
        expect([400, 404]).toContain(response.status);
        if (what === "another store's id") expect(response.status).toBe(404);
      }
      expect(await fingerprint()).toBe(before);
    },
  );

  it.each(
    operations
      .filter((operation) => operation.parameters.some((p) => p.in === 'query'))
      .map((o) => [`${o.method} ${o.path}`, o]),
  )('%s: refuses bad query parameters', async (_name, operation) => {
    const names = new Set(operation.parameters.filter((p) => p.in === 'query').map((p) => p.name));
    const queries = [
      'unknownParameter=1',
      'limit=0',
      'limit=251',
      'limit=abc',
      'limit=1e400',
      'limit=1&limit=2',
      'cursor=%00',
      'cursor=not-a-cursor',
    ];
    if (names.has('status')) queries.push('status=bogus', 'status=');
    if (names.has('updatedSince'))
      queries.push(
        'updatedSince=yesterday',
        'updatedSince=2026-13-45T00:00:00Z',
        'updatedSince=2026-W01-1',
        'updatedSince=0000-01-01T00:00:00Z',
      );
    if (names.has('type')) queries.push('type=no.such_type');
    if (names.has('after')) queries.push('after=evt_nope');
    for (const query of queries)
      await probe(operation, `?${query}`, { path: `${pathFor(operation, own)}?${query}` });
  });

  it.each(
    operations
      .filter((operation) => operation.parameters.some((p) => p.in === 'header'))
      .map((o) => [`${o.method} ${o.path}`, o]),
  )(
    '%s: refuses malformed If-Match and Idempotency-Key headers, and changes nothing',
    async (_name, operation) => {
      const before = await fingerprint();
      const headers = new Set(
        operation.parameters.filter((p) => p.in === 'header').map((p) => p.name),
      );
      const rawBody = operation.bodySchema ? JSON.stringify(validBody(operation)) : undefined;
      const cases: [string, Record<string, string>][] = [];
      if (headers.has('If-Match'))
        cases.push(
          ['If-Match: "abc"', { 'if-match': '"abc"' }],
          ['If-Match: "99999999999999999999"', { 'if-match': '"99999999999999999999"' }],
          ['a stale If-Match', { 'if-match': '"999"' }],
        );
      if (headers.has('Idempotency-Key'))
        cases.push(
          ['an Idempotency-Key of 256 characters', { 'idempotency-key': 'k'.repeat(256) }],
          ['an empty Idempotency-Key', { 'idempotency-key': '' }],
        );
      for (const [what, header] of cases)
        await probe(operation, what, { rawBody, headers: header });
      expect(await fingerprint()).toBe(before);
    },
  );

  // Last, because it changes things: each valid body is accepted as is, so every refusal above
  // was about the one field or rule that was broken, not about the rest of the body.
  it.each(
    operations.filter((operation) => operation.bodySchema).map((o) => [`${o.method} ${o.path}`, o]),
  )('%s: accepts the valid body the sweep broke', async (_name, operation) => {
    const response = await app.request(operation.method, pathFor(operation, own), {
      token: tokenFor(operation.path, own),
      body: validBody(operation),
    });
    const problem = response.status >= 400 ? response.body : undefined;
    expect({ status: response.status, problem }).toEqual({
      status: operation.successStatus,
      problem: undefined,
    });
  });
});
