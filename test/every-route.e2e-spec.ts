import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCOPES } from '../src/common/scopes';
import { approve, authorizePath, Browser, createStaff, registerApp } from './support/oauth';
import { HttpResponse, RequestOptions, startTestApp, TestApp } from './support/test-app';

/**
 * Hostile input on every route of the OpenAPI document: wrong types, unknown fields, NUL bytes,
 * numbers beyond 2^53, deep JSON, malformed and foreign ids, bad query parameters and headers.
 * Each must answer a 4xx problem and change nothing in either store or the platform. And the
 * ordinary habits of clients on routes that need no body (`{}`, an empty body with a JSON header,
 * no body at all) must all get the same answer. The routes come from openapi/openapi.json (itself
 * checked against the code), so a new route is swept without editing this file, or fails here
 * until its fixtures are named below.
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
  /** False for a route that reads no body and for an action, whose body is optional. */
  bodyRequired: boolean;
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
        requestBody?: { required?: boolean; content: Record<string, { schema: SchemaObject }> };
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
      bodyRequired: operation.requestBody?.required === true,
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

  const ownerOf = (storeId: string) => ({
    email: `owner-${storeId}@example.com`,
    password: 'correct horse battery staple',
  });

  /** An app installed on the store through its owner's sign-in and consent, as a merchant would. */
  async function installApp(storeId: string): Promise<{ appId: string; installationId: string }> {
    const registered = await registerApp(app, { confidential: true, scopes: ['read_products'] });
    await approve(
      new Browser(app.url),
      authorizePath({
        response_type: 'code',
        client_id: registered.clientId,
        redirect_uri: registered.redirectUri,
        state: 'sweep',
      }),
      ownerOf(storeId),
    );
    const installations = await app.request(
      'GET',
      `/v1/platform/stores/${storeId}/installations?limit=250`,
      { token: app.adminToken },
    );
    const installation = installations.body.data.find(
      (each: { appId: string }) => each.appId === registered.id,
    );
    return { appId: registered.id, installationId: installation.id };
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
    const { email, password } = ownerOf(store.storeId);
    await createStaff(app, store.storeId, email, password);
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
      'PATCH /v1/platform/stores/{storeId}': { domains: ['shop.sweep.example.com'] },
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
      'POST /v1/orders/{id}/pay': {},
      'POST /v1/orders/{id}/fulfill': { trackingNumber: '1Z999AA10123456784', carrier: 'UPS' },
      'POST /v1/orders/{id}/cancel': { reason: 'customer' },
      'POST /v1/webhook-subscriptions/{id}/test': {},
      'POST /v1/webhook-deliveries/{id}/retry': {},
    };
    const key = `${operation.method} ${operation.path}`;
    if (!(key in bodies)) throw new Error(`No valid body for ${key}: add one above`);
    return bodies[key];
  }

  /** POSTs a body as the own store (or the platform admin) and answers the created resource. */
  async function posted(path: string, body: unknown, status = 201): Promise<{ id: string }> {
    const response = await app.request('POST', path, { token: tokenFor(path, own), body });
    expect({ path, status: response.status }).toEqual({ path, status });
    return response.body;
  }

  /**
   * A new resource of the own store for each call of a route that deletes it or moves it along
   * (an order paid once cannot be paid again), so that every call meets the same state.
   */
  async function freshPath(operation: Operation): Promise<string> {
    const unique = randomBytes(4).toString('hex');
    const subscription = () =>
      posted('/v1/webhook-subscriptions', { url: 'http://127.0.0.1:9/fresh', topics: ['order.*'] });
    const order = () =>
      posted('/v1/orders', {
        email: 'ann@example.com',
        lineItems: [{ variantId: own.variantId, quantity: 1 }],
      });
    const creators: Record<string, () => Promise<{ id: string }>> = {
      'DELETE /v1/platform/stores/{storeId}/api-keys/{keyId}': () =>
        posted(`/v1/platform/stores/${own.storeId}/api-keys`, {
          name: 'Fresh',
          scopes: ['read_products'],
        }),
      'DELETE /v1/platform/apps/{appId}': () =>
        registerApp(app, { confidential: true, scopes: ['read_products'] }),
      'DELETE /v1/platform/stores/{storeId}/installations/{installationId}': async () => ({
        id: (await installApp(own.storeId)).installationId,
      }),
      'DELETE /v1/products/{id}': () =>
        posted('/v1/products', {
          title: 'Fresh',
          variants: [{ sku: `FRESH-${unique}`, price: 100 }],
        }),
      'DELETE /v1/customers/{id}': () =>
        posted('/v1/customers', { email: `fresh-${unique}@example.com` }),
      'DELETE /v1/webhook-subscriptions/{id}': subscription,
      'POST /v1/orders/{id}/pay': order,
      'POST /v1/orders/{id}/fulfill': order,
      'POST /v1/orders/{id}/cancel': order,
      'POST /v1/webhook-subscriptions/{id}/test': subscription,
      'POST /v1/webhook-subscriptions/{id}/rotate-secret': subscription,
      'POST /v1/webhook-deliveries/{id}/retry': async () =>
        posted(`/v1/webhook-subscriptions/${(await subscription()).id}/test`, undefined, 202),
    };
    const key = `${operation.method} ${operation.path}`;
    if (!(key in creators)) throw new Error(`No fresh resource for ${key}: add one above`);
    return pathFor(operation, own, (await creators[key]()).id);
  }

  /** An answer without what differs from one resource to the next: ids, numbers, times, secrets. */
  function comparable(response: HttpResponse): unknown {
    const mask = (value: unknown, key?: string): unknown => {
      if (Array.isArray(value)) return value.map((item) => mask(item));
      if (value !== null && typeof value === 'object')
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, k)]));
      const varies =
        key === 'number' ||
        (typeof value === 'string' &&
          (/^[a-z]+_[0-9a-z]{26}$/.test(value) ||
            /^\d{4}-\d\d-\d\dT/.test(value) ||
            value.startsWith('whsec_')));
      return varies ? '<varies>' : value;
    };
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: mask(response.body),
    };
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
      .filter((operation) => !operation.bodyRequired && operation.method !== 'GET')
      .map((o) => [`${o.method} ${o.path}`, o]),
  )(
    '%s: refuses a field it does not document, with its path, and changes nothing',
    async (_name, operation) => {
      const before = await fingerprint();
      const response = await app.request(operation.method, pathFor(operation, own), {
        token: tokenFor(operation.path, own),
        body: { amount: 1 },
      });
      expectProblem(response, `${operation.method} ${operation.path} with {"amount":1}`);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { path: 'amount', code: 'unknown_field', message: expect.any(String) },
      ]);
      expect(await fingerprint()).toBe(before);
    },
  );

  it.each(
    operations
      .filter((operation) => operation.path.includes('{'))
      .map((o) => [`${o.method} ${o.path}`, o]),
  )(
    "%s: answers 404 for another store's id, malformed ids and NUL bytes, and changes nothing",
    async (_name, operation) => {
      const before = await fingerprint();
      // A valid body must never turn the 404 into anything else: with a required body, the valid
      // one; without one, none, `{}` and an empty body, and an action's valid fields (a GET
      // carries no body).
      const bodies: (string | undefined)[] =
        operation.method === 'GET'
          ? [undefined]
          : operation.bodyRequired
            ? [JSON.stringify(validBody(operation))]
            : [
                undefined,
                '{}',
                '',
                ...(operation.bodySchema ? [JSON.stringify(validBody(operation))] : []),
              ];
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
        for (const body of bodies) {
          const response = await app.request(operation.method, path, {
            token: tokenFor(operation.path, own),
            rawBody: body,
            headers: body === undefined ? {} : { 'content-type': 'application/json' },
          });
          const sent = body === undefined ? 'no body' : `the body ${JSON.stringify(body)}`;
          expectProblem(response, `${operation.method} ${operation.path} with ${what} and ${sent}`);
          expect([400, 404]).toContain(response.status);
          if (what === "another store's id")
            expect({ sent, status: response.status }).toEqual({ sent, status: 404 });
        }
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

  // Last, because these change things.

  /** What clients send on a POST or DELETE that needs no body: all of it means "no body". */
  const NO_BODY: [string, RequestOptions][] = [
    ['no body', {}],
    ['{}', { rawBody: '{}', headers: { 'content-type': 'application/json' } }],
    ['an empty body as JSON', { rawBody: '', headers: { 'content-type': 'application/json' } }],
    ['an empty body as text', { rawBody: '', headers: { 'content-type': 'text/plain' } }],
    [
      'an empty form',
      { rawBody: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    ],
  ];

  it.each(
    operations
      .filter((operation) => !operation.bodyRequired && operation.method !== 'GET')
      .map((o) => [`${o.method} ${o.path}`, o]),
  )('%s: answers {}, an empty body and no body alike', async (_name, operation) => {
    const answers: { sent: string; answer: unknown }[] = [];
    for (const [sent, options] of NO_BODY) {
      const response = await app.request(operation.method, await freshPath(operation), {
        token: tokenFor(operation.path, own),
        ...options,
      });
      answers.push({ sent, answer: comparable(response) });
    }
    expect(answers[0].answer).toMatchObject({ status: operation.successStatus });
    for (const { sent, answer } of answers.slice(1))
      expect({ sent, answer }).toEqual({ sent, answer: answers[0].answer });
  });

  // Each valid body is accepted as is, so every refusal above was about the one field or rule
  // that was broken, not about the rest of the body.
  it.each(
    operations.filter((operation) => operation.bodySchema).map((o) => [`${o.method} ${o.path}`, o]),
  )('%s: accepts the valid body the sweep broke', async (_name, operation) => {
    const path = operation.bodyRequired ? pathFor(operation, own) : await freshPath(operation);
    const response = await app.request(operation.method, path, {
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
