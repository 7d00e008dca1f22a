import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSchema } from 'graphql';
import { SCOPES } from '../src/common/scopes';
import { generateGraphqlSchema } from '../src/app/contracts';
import { HttpResponse, startTestApp, TestApp } from './support/test-app';

/** GraphQL over the same services, credentials and scopes as REST. */
describe('GraphQL', () => {
  let app: TestApp;
  let store: { storeId: string; key: string };

  beforeAll(async () => {
    app = await startTestApp();
    store = await app.createStore([...SCOPES]);
  });
  afterAll(() => app.close());

  function graphql(
    query: string,
    variables: Record<string, unknown> = {},
    token: string | null = store.key,
  ): Promise<HttpResponse> {
    return app.request('POST', '/graphql', { token, body: { query, variables } });
  }

  const PRODUCT_CREATE = `mutation ($input: ProductInput!) {
    productCreate(input: $input) {
      product { id handle status version variants { id sku price inventoryQuantity } }
      userErrors { field code message }
    }
  }`;

  async function createProduct(input: Record<string, unknown>, token = store.key) {
    const response = await graphql(PRODUCT_CREATE, { input }, token);
    expect(response.body.errors).toBeUndefined();
    return response.body.data.productCreate;
  }

  it('is checked in as schema.graphql exactly as the code builds it (run `npm run contracts`)', async () => {
    const checkedIn = readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8');
    expect(await generateGraphqlSchema()).toBe(checkedIn);
    const served = printSchema(app.running.app.get(GraphQLSchemaHost).schema);
    expect(`${served.trimEnd()}\n`).toBe(checkedIn);
  });

  it('creates a product and reads it back as REST shows it, with the same ids', async () => {
    const { product, userErrors } = await createProduct({
      title: 'Mug',
      tags: ['kitchen'],
      variants: [{ sku: 'MUG-1', price: 1200, inventoryQuantity: 5 }],
    });
    expect(userErrors).toEqual([]);
    const read = await graphql(
      `
        query ($id: ID!) {
          product(id: $id) {
            id
            title
            handle
            tags
            version
            createdAt
            variants {
              id
              sku
              price
            }
          }
        }
      `,
      { id: product.id },
    );
    const rest = await app.request('GET', `/v1/products/${product.id}`, { token: store.key });
    const { description: _d, status: _s, updatedAt: _u, ...restFields } = rest.body;
    expect(read.body.data.product).toEqual({
      ...restFields,
      variants: rest.body.variants.map((v: { id: string; sku: string; price: number }) => ({
        id: v.id,
        sku: v.sku,
        price: v.price,
      })),
    });
  });

  it('pages with Relay connections, keyset cursors and the REST filters', async () => {
    const own = await app.createStore([...SCOPES]);
    for (const [title, status] of [
      ['A', 'active'],
      ['B', 'draft'],
      ['C', 'active'],
    ])
      await createProduct({ title, status, variants: [{ sku: title, price: 1 }] }, own.key);
    const PAGE = `query ($after: String, $filter: ProductFilter) {
      products(first: 2, after: $after, filter: $filter) {
        edges { cursor node { title } } nodes { title } pageInfo { hasNextPage endCursor }
      }
    }`;
    const first = (await graphql(PAGE, {}, own.key)).body.data.products;
    expect(first.nodes.map((n: { title: string }) => n.title)).toEqual(['A', 'B']);
    expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: first.edges[1].cursor });
    const second = (await graphql(PAGE, { after: first.pageInfo.endCursor }, own.key)).body.data
      .products;
    expect(second.nodes.map((n: { title: string }) => n.title)).toEqual(['C']);
    expect(second.pageInfo).toEqual({ hasNextPage: false, endCursor: second.edges[0].cursor });
    const active = (await graphql(PAGE, { filter: { status: 'active' } }, own.key)).body.data
      .products;
    expect(active.nodes.map((n: { title: string }) => n.title)).toEqual(['A', 'C']);
  });

  it('answers expected failures as userErrors with the REST paths and codes', async () => {
    const invalid = await createProduct({ title: '', variants: [{ sku: 'X', price: -1 }] });
    expect(invalid.product).toBeNull();
    expect(invalid.userErrors).toEqual([
      expect.objectContaining({ field: 'title', code: 'is_length' }),
      expect.objectContaining({ field: 'variants.0.price', code: 'min' }),
    ]);

    const nulled = await graphql(`
      mutation {
        productUpdate(id: "prod_00000000000000000000000000", input: { title: null }) {
          product {
            id
          }
          userErrors {
            field
            code
          }
        }
      }
    `);
    expect(nulled.body.data.productUpdate.userErrors).toEqual([
      { field: 'title', code: 'is_length' },
    ]);

    const { product } = await createProduct({ title: 'Cup', variants: [{ sku: 'CUP', price: 5 }] });
    const stale = await graphql(
      `
        mutation ($id: ID!) {
          productUpdate(id: $id, input: { title: "Big cup" }, expectedVersion: 7) {
            product {
              id
            }
            userErrors {
              field
              code
              message
            }
          }
        }
      `,
      { id: product.id },
    );
    expect(stale.body.data.productUpdate).toEqual({
      product: null,
      userErrors: [
        { field: null, code: 'version_conflict', message: expect.stringContaining('version 1') },
      ],
    });

    const short = await graphql(
      `
        mutation ($variantId: ID!) {
          orderCreate(
            input: { email: "a@example.com", lineItems: [{ variantId: $variantId, quantity: 9 }] }
          ) {
            order {
              id
            }
            userErrors {
              field
              code
            }
          }
        }
      `,
      { variantId: product.variants[0].id },
    );
    expect(short.body.data.orderCreate.userErrors).toEqual([
      { field: 'lineItems.0.quantity', code: 'insufficient_inventory' },
    ]);
  });

  it('runs orders through their states, with the customer resolved', async () => {
    const { product } = await createProduct({
      title: 'Pen',
      variants: [{ sku: 'PEN', price: 300, inventoryQuantity: 10 }],
    });
    const customer = await graphql(`
      mutation {
        customerCreate(input: { email: "ann@example.com", firstName: "Ann" }) {
          customer {
            id
          }
          userErrors {
            code
          }
        }
      }
    `);
    const customerId = customer.body.data.customerCreate.customer.id;
    const created = await graphql(
      `
        mutation ($input: OrderInput!) {
          orderCreate(input: $input) {
            order {
              id
              number
              total
              customer {
                firstName
              }
              lineItems {
                sku
                quantity
              }
            }
            userErrors {
              code
            }
          }
        }
      `,
      {
        input: {
          customerId,
          email: 'ann@example.com',
          lineItems: [{ variantId: product.variants[0].id, quantity: 2 }],
        },
      },
    );
    const order = created.body.data.orderCreate.order;
    expect(order).toMatchObject({
      number: expect.any(Number),
      total: 600,
      customer: { firstName: 'Ann' },
      lineItems: [{ sku: 'PEN', quantity: 2 }],
    });
    const TRANSITION = (name: string) =>
      `mutation ($id: ID!) { ${name}(id: $id) { order { status financialStatus fulfillmentStatus } userErrors { code } } }`;
    const cancelled = await graphql(TRANSITION('orderCancel'), { id: order.id });
    expect(cancelled.body.data.orderCancel.order.status).toBe('cancelled');
    const again = await graphql(TRANSITION('orderCancel'), { id: order.id });
    expect(again.body.data.orderCancel).toEqual({
      order: null,
      userErrors: [{ code: 'invalid_state_transition' }],
    });
    const stock = await graphql(
      `
        mutation ($input: InventoryAdjustmentInput!) {
          inventoryAdjust(input: $input) {
            inventoryLevel {
              inventoryQuantity
            }
            userErrors {
              code
            }
          }
        }
      `,
      { input: { variantId: product.variants[0].id, delta: -1, reason: 'broken' } },
    );
    // 10, minus 2 for the order, plus 2 when it was cancelled, minus 1 now.
    expect(stock.body.data.inventoryAdjust.inventoryLevel.inventoryQuantity).toBe(9);
  });

  it('cancels with a reason and fulfils with tracking, as REST does, validated the same way', async () => {
    const own = await app.createStore([...SCOPES]);
    const { product } = await createProduct(
      { title: 'Cup', variants: [{ sku: 'CUP-GQL', price: 500, inventoryQuantity: 10 }] },
      own.key,
    );
    const newOrder = async () =>
      (
        await app.request('POST', '/v1/orders', {
          token: own.key,
          body: {
            email: 'g@example.com',
            lineItems: [{ variantId: product.variants[0].id, quantity: 1 }],
          },
        })
      ).body as { id: string };
    const ORDER_FIELDS =
      'order { id status fulfillmentStatus cancelReason trackingNumber carrier } userErrors { field code message }';
    const CANCEL = `mutation ($id: ID!, $reason: String) { orderCancel(id: $id, reason: $reason) { ${ORDER_FIELDS} } }`;
    const FULFILL = `mutation ($id: ID!, $trackingNumber: String, $carrier: String) {
      orderFulfill(id: $id, trackingNumber: $trackingNumber, carrier: $carrier) { ${ORDER_FIELDS} }
    }`;

    const toCancel = await newOrder();
    const cancelled = await graphql(CANCEL, { id: toCancel.id, reason: 'inventory' }, own.key);
    expect(cancelled.body.data.orderCancel).toEqual({
      order: {
        id: toCancel.id,
        status: 'cancelled',
        fulfillmentStatus: 'unfulfilled',
        cancelReason: 'inventory',
        trackingNumber: null,
        carrier: null,
      },
      userErrors: [],
    });
    const rest = await app.request('GET', `/v1/orders/${toCancel.id}`, { token: own.key });
    expect(rest.body.cancelReason).toBe('inventory');
    const events = await app.request('GET', '/v1/events?type=order.cancelled', { token: own.key });
    expect(events.body.data.at(-1).data.object).toEqual(rest.body);

    const toFulfil = await newOrder();
    const tooLong = await graphql(
      FULFILL,
      { id: toFulfil.id, trackingNumber: '9'.repeat(101), carrier: 'DHL' },
      own.key,
    );
    expect(tooLong.body.data.orderFulfill).toEqual({
      order: null,
      userErrors: [{ field: 'trackingNumber', code: 'is_length', message: expect.any(String) }],
    });
    const fulfilled = await graphql(
      FULFILL,
      { id: toFulfil.id, trackingNumber: 'JD014600006281230000', carrier: 'DHL' },
      own.key,
    );
    expect(fulfilled.body.data.orderFulfill.order).toMatchObject({
      fulfillmentStatus: 'fulfilled',
      trackingNumber: 'JD014600006281230000',
      carrier: 'DHL',
      cancelReason: null,
    });
    const fulfilledEvents = await app.request('GET', '/v1/events?type=order.fulfilled', {
      token: own.key,
    });
    expect(fulfilledEvents.body.data.at(-1).data.object).toMatchObject({
      id: toFulfil.id,
      trackingNumber: 'JD014600006281230000',
      carrier: 'DHL',
    });

    // Without the arguments, as before; another store's order is absent whatever is given.
    const plain = await newOrder();
    const bare = await graphql(CANCEL, { id: plain.id }, own.key);
    expect(bare.body.data.orderCancel.order).toMatchObject({
      status: 'cancelled',
      cancelReason: null,
    });
    const foreign = await graphql(CANCEL, { id: (await newOrder()).id, reason: 'fraud' });
    expect(foreign.body.data.orderCancel.userErrors).toEqual([
      { field: null, code: 'not_found', message: expect.any(String) },
    ]);
  });

  it('answers authentication and scope failures as top-level errors with extensions.code', async () => {
    const anonymous = await graphql('{ products(first: 1) { nodes { id } } }', {}, null);
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(anonymous.body.data).toBeNull();

    const readOnly = await app.createStore(['read_products']);
    const forbidden = await graphql('{ orders(first: 1) { nodes { id } } }', {}, readOnly.key);
    expect(forbidden.body.errors[0]).toMatchObject({
      path: ['orders'],
      extensions: { code: 'FORBIDDEN' },
    });
    const mutation = await graphql(
      PRODUCT_CREATE,
      { input: { title: 'x', variants: [] } },
      readOnly.key,
    );
    expect(mutation.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it("shows another store's resources as absent", async () => {
    const { product } = await createProduct({ title: 'Own', variants: [{ sku: 'OWN', price: 1 }] });
    const other = await app.createStore([...SCOPES]);
    const read = await graphql(
      'query ($id: ID!) { product(id: $id) { id } }',
      { id: product.id },
      other.key,
    );
    expect(read.body.data).toEqual({ product: null });
    expect(read.body.errors).toBeUndefined();
    const update = await graphql(
      `
        mutation ($id: ID!) {
          productUpdate(id: $id, input: { title: "Stolen" }) {
            product {
              id
            }
            userErrors {
              code
            }
          }
        }
      `,
      { id: product.id },
      other.key,
    );
    expect(update.body.data.productUpdate).toEqual({
      product: null,
      userErrors: [{ code: 'not_found' }],
    });
    const unchanged = await app.request('GET', `/v1/products/${product.id}`, { token: store.key });
    expect(unchanged.body.title).toBe('Own');
  });

  it("hides an order's customer from a key without read_customers", async () => {
    const ordersOnly = await app.createStore([
      'read_orders',
      'write_orders',
      'write_products',
      'write_customers',
    ]);
    const product = await createProduct(
      { title: 'Tea', variants: [{ sku: 'TEA', price: 1, inventoryQuantity: 1 }] },
      ordersOnly.key,
    );
    const customer = await app.request('POST', '/v1/customers', {
      token: ordersOnly.key,
      body: { email: 'hidden@example.com' },
    });
    const order = await graphql(
      `
        mutation ($input: OrderInput!) {
          orderCreate(input: $input) {
            order {
              customerId
              customer {
                email
              }
            }
          }
        }
      `,
      {
        input: {
          customerId: customer.body.id,
          email: 'hidden@example.com',
          lineItems: [{ variantId: product.product.variants[0].id, quantity: 1 }],
        },
      },
      ordersOnly.key,
    );
    expect(order.body.data.orderCreate.order).toEqual({
      customerId: customer.body.id,
      customer: null,
    });
  });

  it('creates webhook subscriptions with their secret shown once', async () => {
    const created = await graphql(`
      mutation {
        webhookSubscriptionCreate(input: { url: "http://127.0.0.1:9/h", topics: ["order.*"] }) {
          webhookSubscription {
            id
            secret
            status
          }
          userErrors {
            code
          }
        }
      }
    `);
    const subscription = created.body.data.webhookSubscriptionCreate.webhookSubscription;
    expect(subscription.secret).toMatch(/^whsec_/);
    const listed = await graphql('{ webhookSubscriptions { nodes { id secret } } }');
    expect(listed.body.data.webhookSubscriptions.nodes).toContainEqual({
      id: subscription.id,
      secret: null,
    });
    const unknownTopic = await graphql(`
      mutation {
        webhookSubscriptionCreate(input: { url: "http://127.0.0.1:9/h", topics: ["nope"] }) {
          webhookSubscription {
            id
          }
          userErrors {
            field
            code
          }
        }
      }
    `);
    expect(unknownTopic.body.data.webhookSubscriptionCreate.userErrors).toEqual([
      { field: 'topics.0', code: 'unknown_topic' },
    ]);
  });

  it('refuses batched requests and malformed bodies with 4xx, never 5xx', async () => {
    const batched = await app.request('POST', '/graphql', {
      token: store.key,
      body: [
        { query: '{ products { nodes { id } } }' },
        { query: '{ customers { nodes { id } } }' },
      ],
    });
    expect(batched.status).toBe(400);
    const empty = await app.request('POST', '/graphql', {
      token: store.key,
      rawBody: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(empty.status).toBe(400);
    const syntax = await graphql('{ products(first: ) }');
    expect(syntax.status).toBe(400);
    expect(syntax.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const tooMany = await graphql('{ products(first: 251) { nodes { id } } }');
    expect(tooMany.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    // Beyond 2^53 in variables, the JSON body itself is refused, as on every route.
    const hugeVariable = await graphql(PRODUCT_CREATE, {
      input: { title: 'Huge', variants: [{ sku: 'HUGE', price: 2 ** 53 }] },
    });
    expect(hugeVariable.status).toBe(400);
    expect(hugeVariable.body.code).toBe('validation_failed');
    const hugeLiteral = await graphql(
      'mutation { productCreate(input: { title: "Huge", variants: [{ sku: "HUGE", price: 9007199254740992 }] }) { product { id } } }',
    );
    expect(hugeLiteral.status).toBe(400);
    expect(hugeLiteral.body.errors[0].message).toContain('SafeInt');
    const badDate = await graphql(
      '{ products(filter: { updatedSince: "2026-13-45T00:00:00Z" }) { nodes { id } } }',
    );
    expect(badDate.status).toBe(400);
    expect(badDate.body.errors[0].message).toContain('RFC 3339');
  });

  it('serves the GraphiQL explorer to browsers from local packages, no CDN', async () => {
    const page = await app.request('GET', '/graphql', {
      token: null,
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).not.toMatch(/https?:\/\//);
    const assets = [...page.text.matchAll(/(?:src|href)="(\/graphql\/explorer\/[^"]+)"/g)].map(
      (match) => match[1],
    );
    expect(assets).toHaveLength(4);
    for (const asset of assets) {
      const response = await app.request('GET', asset, { token: null });
      expect({ asset, status: response.status, size: response.text.length > 1000 }).toEqual({
        asset,
        status: 200,
        size: true,
      });
    }
    const missing = await app.request('GET', '/graphql/explorer/secrets.txt', { token: null });
    expect(missing.status).toBe(404);
  });

  it('serves automatic persisted queries over GET', async () => {
    const query = '{ products(first: 1) { nodes { id } } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = encodeURIComponent(
      JSON.stringify({ persistedQuery: { version: 1, sha256Hash } }),
    );
    const unknown = await app.request('GET', `/graphql?extensions=${extensions}`, {
      token: store.key,
    });
    expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await app.request('POST', '/graphql', {
      token: store.key,
      body: { query, extensions: { persistedQuery: { version: 1, sha256Hash } } },
    });
    expect(registered.body.errors).toBeUndefined();
    const byHash = await app.request('GET', `/graphql?extensions=${extensions}`, {
      token: store.key,
    });
    expect(byHash.status).toBe(200);
    expect(byHash.body.data).toEqual(registered.body.data);
    const anonymous = await app.request('GET', `/graphql?extensions=${extensions}`, {
      token: null,
    });
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('reports the cost and the bucket in extensions.cost', async () => {
    const response = await graphql('{ products(first: 10) { nodes { id variants { sku } } } }');
    expect(response.body.extensions.cost).toEqual({
      requestedQueryCost: 21,
      actualQueryCost: 21,
      throttleStatus: {
        maximumAvailable: 2000,
        currentlyAvailable: expect.any(Number),
        restoreRate: 100,
      },
    });
  });

  it.each([
    [
      'with more than 30 aliases',
      `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ')} }`,
    ],
    [
      'costing more than 1,000 points',
      '{ a: products(first: 250) { nodes { variants { id } } } b: products(first: 250) { nodes { variants { id } } } }',
    ],
    ['of more than 2,000 tokens', `{ ${'__typename '.repeat(2_001)} }`],
  ])('refuses a query %s before it runs, with QUERY_TOO_COMPLEX', async (_what, query) => {
    const response = await graphql(query);
    expect(response.status).toBe(400);
    expect(response.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(response.body.data).toBeUndefined();
  });
});

describe('GraphQL cost bucket', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      env: { GRAPHQL_COST_BUCKET: '150', GRAPHQL_COST_REFILL_PER_SECOND: '1' },
    });
  });
  afterAll(() => app.close());

  it('answers THROTTLED (429, Retry-After) once the credential has spent its points', async () => {
    const { key } = await app.createStore([...SCOPES]);
    const query = '{ products(first: 50) { nodes { id variants { sku } } } }';
    const first = await app.request('POST', '/graphql', { token: key, body: { query } });
    expect(first.status).toBe(200);
    expect(first.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(49);
    const second = await app.request('POST', '/graphql', { token: key, body: { query } });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('52');
    expect(second.body.errors[0].extensions.code).toBe('THROTTLED');
    // Another credential has its own bucket.
    const other = await app.createStore([...SCOPES]);
    const third = await app.request('POST', '/graphql', { token: other.key, body: { query } });
    expect(third.status).toBe(200);
  });
});

describe('GraphQL allowlist mode (first-party apps)', () => {
  let app: TestApp;
  const listed = '{ products(first: 5) { nodes { id title } } }';
  const listedHash = createHash('sha256').update(listed).digest('hex');

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dk-ops-')), 'operations.json');
    writeFileSync(file, JSON.stringify({ [listedHash]: listed }));
    app = await startTestApp({
      env: { GRAPHQL_OPERATIONS_FILE: file, GRAPHQL_ALLOWLIST: 'true' },
    });
  });
  afterAll(() => app.close());

  it('runs registered operations by hash from the first request, and nothing else', async () => {
    const { key } = await app.createStore([...SCOPES]);
    const extensions = encodeURIComponent(
      JSON.stringify({ persistedQuery: { version: 1, sha256Hash: listedHash } }),
    );
    const byHash = await app.request('GET', `/graphql?extensions=${extensions}`, { token: key });
    expect(byHash.status).toBe(200);
    expect(byHash.body.data).toEqual({ products: { nodes: [] } });
    const byText = await app.request('POST', '/graphql', { token: key, body: { query: listed } });
    expect(byText.body.errors).toBeUndefined();
    const other = await app.request('POST', '/graphql', {
      token: key,
      body: { query: '{ customers { nodes { email } } }' },
    });
    expect(other.status).toBe(400);
    expect(other.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });
});
