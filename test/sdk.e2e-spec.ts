import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateSdkTypes, SDK_TYPES_FILE } from '../scripts/sdk-types';
import { SCOPES } from '../src/common/scopes';
import { generateEventTypes, generateOpenApiDocument } from '../src/app/contracts';
import {
  DukkadeeClient,
  DukkadeeClientOptions,
  DukkadeeError,
  verifyWebhook,
  WebhookVerificationError,
} from '../sdk/src/index';
import { startTestApp, TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const ROOT = join(__dirname, '..');

interface SentRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly status: number;
}

/** A client over the real fetch that keeps what went over the wire, for the tests to read. */
function recordingClient(
  app: TestApp,
  token: string,
  options: Partial<DukkadeeClientOptions> = {},
) {
  const sent: SentRequest[] = [];
  const client = new DukkadeeClient({
    baseUrl: app.url,
    token,
    ...options,
    fetch: async (request) => {
      const response = await fetch(request);
      sent.push({
        method: request.method,
        url: new URL(request.url),
        headers: request.headers,
        status: response.status,
      });
      return response;
    },
  });
  return { client, sent };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('SDK (@dukkadee/sdk) against the real server', () => {
  let app: TestApp;
  let receiver: WebhookReceiver;
  let store: { storeId: string; key: string };

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    app = await startTestApp();
    store = await app.createStore([...SCOPES]);
  });
  afterAll(async () => {
    await app?.close();
    await receiver?.close();
  });

  it('lists every product with the async iterator, one request per page', async () => {
    const { client, sent } = recordingClient(app, store.key);
    const created: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const { data } = await client.POST('/v1/products', {
        body: {
          title: `Cup ${i}`,
          status: 'active',
          variants: [{ sku: `CUP-${i}`, price: 900 + i }],
        },
      });
      created.push(data.id);
    }
    await client.POST('/v1/products', {
      body: { title: 'Draft', status: 'draft', variants: [{ sku: 'DRAFT', price: 1 }] },
    });
    sent.length = 0;

    const listed: string[] = [];
    for await (const product of client.paginate('/v1/products', {
      params: { query: { limit: 3, status: 'active' } },
    }))
      listed.push(product.id);

    expect(listed.sort()).toEqual([...created].sort());
    expect(sent.map((request) => request.url.searchParams.get('limit'))).toEqual(['3', '3', '3']);
    expect(sent.map((request) => request.url.searchParams.get('status'))).toEqual([
      'active',
      'active',
      'active',
    ]);
    const cursors = sent.map((request) => request.url.searchParams.get('cursor'));
    expect(cursors[0]).toBeNull();
    expect(new Set(cursors.slice(1)).size).toBe(2);
  });

  it('stops at the first page when nothing follows, and yields nothing for an empty list', async () => {
    const empty = await app.createStore(['read_customers']);
    const { client, sent } = recordingClient(app, empty.key);
    const customers = [];
    for await (const customer of client.paginate('/v1/customers')) customers.push(customer);
    expect(customers).toEqual([]);
    expect(sent).toHaveLength(1);
  });

  it('creates one order for an idempotency key sent twice, the second answer replayed', async () => {
    const { client } = recordingClient(app, store.key);
    const { data: product } = await client.POST('/v1/products', {
      body: { title: 'Kettle', variants: [{ sku: 'KETTLE', price: 3900, inventoryQuantity: 10 }] },
    });
    const order = {
      email: 'ida@example.com',
      lineItems: [{ variantId: product.variants[0].id, quantity: 2 }],
    };
    const init = { body: order, params: { header: { 'Idempotency-Key': 'order-ida-1' } } };
    const first = await client.POST('/v1/orders', init);
    const second = await client.POST('/v1/orders', init);

    expect(first.response.status).toBe(201);
    expect(first.response.headers.get('idempotent-replayed')).toBeNull();
    expect(second.response.status).toBe(201);
    expect(second.response.headers.get('idempotent-replayed')).toBe('true');
    expect(second.data).toEqual(first.data);
    const orders = [];
    for await (const item of client.paginate('/v1/orders'))
      if (item.email === order.email) orders.push(item);
    expect(orders.map((item) => item.id)).toEqual([first.data.id]);
    const { data: stock } = await client.GET('/v1/products/{id}', {
      params: { path: { id: product.id } },
    });
    expect(stock.variants[0].inventoryQuantity).toBe(8);
  });

  it('sends an Idempotency-Key of its own on each POST that honours one, a new one per call', async () => {
    const { client, sent } = recordingClient(app, store.key);
    await client.POST('/v1/customers', { body: { email: 'key-1@example.com' } });
    await client.POST('/v1/customers', { body: { email: 'key-2@example.com' } });
    await client.GET('/v1/customers');
    const keys = sent.map((request) => request.headers.get('idempotency-key'));
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBeNull();
    expect(
      sent.every((request) => request.headers.get('authorization') === `Bearer ${store.key}`),
    ).toBe(true);
  });

  it('throws a DukkadeeError carrying the problem body on 404 (a foreign store’s product too)', async () => {
    const { client } = recordingClient(app, store.key);
    const other = await app.createStore([...SCOPES]);
    const { client: otherClient } = recordingClient(app, other.key);
    const { data: foreign } = await otherClient.POST('/v1/products', {
      body: { title: 'Theirs', variants: [{ sku: 'THEIRS', price: 100 }] },
    });

    for (const id of ['prod_00000000000000000000000000', foreign.id]) {
      const error = await rejection(client.GET('/v1/products/{id}', { params: { path: { id } } }));
      expect(error).toBeInstanceOf(DukkadeeError);
      const problem = error as DukkadeeError;
      expect(problem).toMatchObject({ status: 404, code: 'not_found', errors: [] });
      expect(problem.requestId).toBe(problem.response.headers.get('x-request-id'));
      expect(problem.problem).toMatchObject({
        status: 404,
        code: 'not_found',
        requestId: problem.requestId,
      });
      expect(problem.message).toMatch(/^404 not_found: /);
    }
  });

  it('throws a DukkadeeError listing every invalid field on 400, and retries nothing', async () => {
    const { client, sent } = recordingClient(app, store.key);
    const error = await rejection(
      client.POST('/v1/products', {
        body: { title: '', variants: [{ sku: 'BAD', price: -1 }] },
      }),
    );
    expect(error).toBeInstanceOf(DukkadeeError);
    const problem = error as DukkadeeError;
    expect(problem.status).toBe(400);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((field) => field.path).sort()).toEqual(['title', 'variants.0.price']);
    expect(sent).toHaveLength(1);
  });

  it('verifies a real delivered webhook, and refuses a tampered or foreign one', async () => {
    const { client } = recordingClient(app, store.key);
    const { data: subscription } = await client.POST('/v1/webhook-subscriptions', {
      body: { url: `${receiver.url}/sdk`, topics: ['product.created'] },
    });
    const { data: product } = await client.POST('/v1/products', {
      body: { title: 'Teapot', variants: [{ sku: 'TEAPOT', price: 2500 }] },
    });
    await receiver.waitFor(() => receiver.on('/sdk').length >= 1);
    const [delivered] = receiver.on('/sdk');

    const event = verifyWebhook(subscription.secret!, delivered.body, delivered.headers);
    expect(event.type).toBe('product.created');
    if (event.type !== 'product.created') throw new Error('narrowed above');
    expect(event.data.object.id).toBe(product.id);
    expect(event.data.object.variants[0].sku).toBe('TEAPOT');
    // Bytes and fetch's Headers, as a fetch-based server hands them over.
    const asBytes = verifyWebhook(
      subscription.secret!,
      new TextEncoder().encode(delivered.body),
      new Headers(delivered.headers),
    );
    expect(asBytes).toEqual(event);

    const tampered = delivered.body.replace('"TEAPOT"', '"TEAPOT-FREE"');
    expect(tampered).not.toBe(delivered.body);
    expect(() => verifyWebhook(subscription.secret!, tampered, delivered.headers)).toThrow(
      WebhookVerificationError,
    );
    const { data: stranger } = await client.POST('/v1/webhook-subscriptions', {
      body: { url: `${receiver.url}/elsewhere`, topics: ['order.created'] },
    });
    expect(() => verifyWebhook(stranger.secret!, delivered.body, delivered.headers)).toThrow(
      WebhookVerificationError,
    );
    expect(() =>
      verifyWebhook(subscription.secret!, JSON.parse(delivered.body), delivered.headers),
    ).toThrow(/raw request body/);
  });
});

describe('SDK retries against a tiny rate-limit bucket', () => {
  let app: TestApp;
  let store: { storeId: string; key: string };

  beforeAll(async () => {
    // Two requests, refilled at one per second: the third in a burst answers 429.
    app = await startTestApp({
      env: { RATE_LIMIT_BUCKET: '2', RATE_LIMIT_REFILL_PER_SECOND: '1' },
    });
    store = await app.createStore([...SCOPES]);
  });
  afterAll(() => app?.close());

  /** Empties the key's bucket with plain requests, so that the next one is refused. */
  async function emptyBucket(): Promise<void> {
    for (let i = 0; i < 10; i += 1) {
      const response = await app.request('GET', '/v1/customers', { token: store.key });
      if (response.status === 429) return;
    }
    throw new Error('the bucket never emptied');
  }

  it('waits out a 429 after its Retry-After and then succeeds', async () => {
    const { client, sent } = recordingClient(app, store.key);
    await emptyBucket();
    const { data } = await client.GET('/v1/customers');
    expect(data.data).toEqual([]);
    expect(sent.map((request) => request.status)).toEqual([429, 200]);
  });

  it('retries a POST with its one Idempotency-Key, creating one resource', async () => {
    const { client, sent } = recordingClient(app, store.key);
    await emptyBucket();
    const { data } = await client.POST('/v1/customers', { body: { email: 'retry@example.com' } });
    expect(sent.map((request) => request.status)).toEqual([429, 201]);
    expect(new Set(sent.map((request) => request.headers.get('idempotency-key'))).size).toBe(1);
    // The bucket is empty again: this read waits its turn too.
    const { data: list } = await client.GET('/v1/customers');
    expect(list.data.map((customer) => customer.id)).toEqual([data.id]);
  });

  it.each([
    {
      when: 'a POST carries no Idempotency-Key: it is never repeated',
      options: { idempotencyKeys: false },
      call: (client: DukkadeeClient) =>
        client.POST('/v1/customers', { body: { email: 'once@example.com' } }),
    },
    {
      when: 'it is out of attempts',
      options: { retry: { maxAttempts: 1 } },
      call: (client: DukkadeeClient) => client.GET('/v1/customers'),
    },
    {
      when: 'the wait would pass its total budget',
      options: { retry: { maxTotalDelayMs: 100 } },
      call: (client: DukkadeeClient) => client.GET('/v1/customers'),
    },
  ])('throws the 429 with its Retry-After at once when $when', async ({ options, call }) => {
    const { client, sent } = recordingClient(app, store.key, options);
    await emptyBucket();
    const error = await rejection(call(client));
    expect(error).toBeInstanceOf(DukkadeeError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited' });
    expect((error as DukkadeeError).retryAfter).toBeGreaterThanOrEqual(1);
    expect(sent).toHaveLength(1);
  });
});

describe('the SDK package', () => {
  it('keeps its generated types exactly as the code generates them (run `npm run contracts`)', async () => {
    const [document, eventTypes] = await Promise.all([
      generateOpenApiDocument(),
      generateEventTypes(),
    ]);
    expect(await generateSdkTypes(document, eventTypes)).toBe(
      readFileSync(join(ROOT, SDK_TYPES_FILE), 'utf8'),
    );
  });

  it('builds on its own and loads in plain Node, by import and by require', async () => {
    const run = promisify(execFile);
    await run('npm', ['run', 'build', '--workspace', '@dukkadee/sdk'], { cwd: ROOT });
    expect(existsSync(join(ROOT, 'sdk', 'dist', 'index.d.ts'))).toBe(true);
    const probe = 'typeof m.DukkadeeClient, typeof m.verifyWebhook, typeof m.DukkadeeError';
    const loaders = {
      import: [
        '--input-type=module',
        '-e',
        `const m = await import('@dukkadee/sdk'); console.log(${probe});`,
      ],
      require: ['-e', `const m = require('@dukkadee/sdk'); console.log(${probe});`],
    };
    for (const [loader, args] of Object.entries(loaders)) {
      const { stdout } = await run(process.execPath, args, { cwd: ROOT });
      expect({ loader, exports: stdout.trim() }).toEqual({
        loader,
        exports: 'function function function',
      });
    }
  });
});
