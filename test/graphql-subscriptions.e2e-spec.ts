import type { Client } from 'graphql-ws';
import { SCOPES } from '../src/common/scopes';
import { LiveEvents } from '../src/events/live-events';
import { startTestApp, TestApp } from './support/test-app';
import { graphqlSocket } from './support/graphql-socket';

function openClient(
  app: TestApp,
  clients: Client[],
  token: string,
  onClose?: (code: number) => void,
): Client {
  const client = graphqlSocket(app.url, token, { connectNow: true, onClose });
  clients.push(client);
  return client;
}

/** Subscribes and collects what arrives; resolves `started` once the server has it. */
function subscribe(client: Client, query: string) {
  const received: Record<string, unknown>[] = [];
  const errors: unknown[] = [];
  const state = { completed: false };
  const stop = client.subscribe(
    { query },
    {
      next: (result) => {
        if (result.errors) errors.push(result.errors);
        else received.push(result.data as Record<string, unknown>);
      },
      error: (error) => errors.push(error),
      complete: () => {
        state.completed = true;
      },
    },
  );
  return { received, errors, stop, state };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('Timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Live events over graphql-ws on /graphql, from the committed event log. */
describe('GraphQL subscriptions', () => {
  let app: TestApp;
  let store: { storeId: string; key: string };
  const clients: Client[] = [];

  beforeAll(async () => {
    app = await startTestApp();
    store = await app.createStore([...SCOPES]);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await app.close();
  });

  const connect = (token: string, onClose?: (code: number) => void) =>
    openClient(app, clients, token, onClose);

  const listeners = () => app.running.app.get(LiveEvents).subscriberCount(store.storeId);

  it('sends committed events of the store as the event log has them, and detaches on completion', async () => {
    const client = connect(store.key);
    const before = listeners();
    const events = subscribe(client, 'subscription { events { id type createdAt payload } }');
    await until(() => listeners() === before + 1);
    const product = await app.request('POST', '/v1/products', {
      token: store.key,
      body: { title: 'Live', variants: [{ sku: 'LIVE', price: 100 }] },
    });
    await until(() => events.received.length === 1);
    const [{ events: event }] = events.received as { events: Record<string, unknown> }[];
    const log = await app.request('GET', '/v1/events?type=product.created', { token: store.key });
    const logged = log.body.data.find((item: { id: string }) => item.id === event.id);
    expect(event).toEqual({
      id: logged.id,
      type: 'product.created',
      createdAt: logged.createdAt,
      payload: logged,
    });
    expect(logged.data.object.id).toBe(product.body.id);
    events.stop();
    await until(() => listeners() === before);
  });

  it('sends typed events, and nothing of a change that rolled back', async () => {
    const client = connect(store.key);
    const before = listeners();
    const orders = subscribe(client, 'subscription { orderCreated { id number total } }');
    await until(() => listeners() === before + 1);
    const product = await app.request('POST', '/v1/products', {
      token: store.key,
      body: { title: 'Cup', variants: [{ sku: 'CUP', price: 250, inventoryQuantity: 1 }] },
    });
    const order = (quantity: number) =>
      app.request('POST', '/v1/orders', {
        token: store.key,
        body: {
          email: 'ann@example.com',
          lineItems: [{ variantId: product.body.variants[0].id, quantity }],
        },
      });
    expect((await order(5)).status).toBe(409);
    const created = await order(1);
    await until(() => orders.received.length >= 1);
    // Give a rolled-back event the time to show up, if it ever could.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(orders.received).toEqual([
      { orderCreated: { id: created.body.id, number: created.body.number, total: 250 } },
    ]);
    orders.stop();
  });

  it("sends only the store's own events, and only types the key may read", async () => {
    const productsOnly = await app.createStore(['read_products', 'write_products']);
    const client = connect(productsOnly.key);
    const events = subscribe(client, 'subscription { events { type payload } }');
    const other = await app.createStore([...SCOPES]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await app.request('POST', '/v1/products', {
      token: other.key,
      body: { title: 'Elsewhere', variants: [{ sku: 'E', price: 1 }] },
    });
    await app.request('POST', '/v1/products', {
      token: productsOnly.key,
      body: { title: 'Mine', variants: [{ sku: 'M', price: 1, inventoryQuantity: 3 }] },
    });
    await until(() => events.received.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const types = events.received.map((data) => (data.events as { type: string }).type);
    expect(types).toEqual(['product.created']);
    const forbidden = subscribe(client, 'subscription { orderCreated { id } }');
    await until(() => forbidden.errors.length > 0);
    expect(JSON.stringify(forbidden.errors)).toContain('FORBIDDEN');
  });

  it('applies the per-query limits over WebSocket too', async () => {
    const client = connect(store.key);
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ');
    const refused = subscribe(client, `subscription { events { id ${aliases} } }`);
    await until(() => refused.errors.length > 0);
    expect(JSON.stringify(refused.errors)).toContain('QUERY_TOO_COMPLEX');
  });

  it('caps the subscriptions one connection holds at 20', async () => {
    const client = connect(store.key);
    const open = Array.from({ length: 20 }, () =>
      subscribe(client, 'subscription { events { id } }'),
    );
    await until(() => listeners() >= 20);
    const refused = subscribe(client, 'subscription { events { id } }');
    await until(() => refused.errors.length > 0);
    expect(JSON.stringify(refused.errors)).toContain('20 subscriptions');
    open[0].stop();
    const accepted = subscribe(client, 'subscription { events { id } }');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(accepted.errors).toEqual([]);
    for (const subscription of [...open, accepted]) subscription.stop();
  });

  it('closes a connection that sends a message over 64 KiB', async () => {
    let closedWith: number | undefined;
    const client = connect(store.key, (code) => {
      closedWith = code;
    });
    subscribe(client, `subscription { events { id } } # ${'x'.repeat(70 * 1024)}`);
    await until(() => closedWith !== undefined);
    expect(closedWith).toBe(1009);
  });

  it('ends the subscriptions of a key once it is revoked', async () => {
    const own = await app.createStore([...SCOPES]);
    const client = connect(own.key);
    const events = subscribe(client, 'subscription { events { id } }');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const revoked = await app.request(
      'DELETE',
      `/v1/platform/stores/${own.storeId}/api-keys/${own.keyId}`,
      { token: app.adminToken },
    );
    expect(revoked.status).toBe(204);
    // Streams re-check their keys every 5 seconds.
    await until(() => events.state.completed, 8_000);
    expect(events.errors).toEqual([]);
  });

  it('closes the socket with 4403 for a bad token in connection_init', async () => {
    let closedWith: number | undefined;
    const client = connect('dk_test_notAKeyAtAllxxxxxxxxxxxxxxxxxxxxxxxxx', (code) => {
      closedWith = code;
    });
    subscribe(client, 'subscription { events { id } }');
    await until(() => closedWith !== undefined);
    expect(closedWith).toBe(4403);
  });
});

/** A subscribe message costs its calculated cost from the credential's GraphQL bucket. */
describe('GraphQL subscriptions and the cost bucket', () => {
  let app: TestApp;
  const clients: Client[] = [];

  beforeAll(async () => {
    app = await startTestApp({
      env: { GRAPHQL_COST_BUCKET: '3', GRAPHQL_COST_REFILL_PER_SECOND: '1' },
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await app.close();
  });

  const costOf = (errors: unknown[]) =>
    (errors[0] as { extensions: Record<string, unknown> }[])[0].extensions;

  it('refuses a subscribe message with THROTTLED once the bucket is empty, and keeps the socket', async () => {
    const store = await app.createStore([...SCOPES]);
    let closed: number | undefined;
    const client = openClient(app, clients, store.key, (code) => (closed = code));
    const accepted: ReturnType<typeof subscribe>[] = [];
    let refused: ReturnType<typeof subscribe> | undefined;
    for (let i = 0; i < 10 && !refused; i++) {
      const subscription = subscribe(client, 'subscription { events { id type } }');
      await until(
        () =>
          subscription.errors.length > 0 ||
          app.running.app.get(LiveEvents).subscriberCount(store.storeId) === accepted.length + 1,
      );
      if (subscription.errors.length > 0) refused = subscription;
      else accepted.push(subscription);
    }
    expect(refused).toBeDefined();
    expect(accepted.length).toBeGreaterThanOrEqual(3);
    const extensions = costOf(refused!.errors);
    expect(extensions.code).toBe('THROTTLED');
    expect(extensions.retryAfter).toBeGreaterThanOrEqual(1);
    expect(extensions.cost).toMatchObject({
      requestedQueryCost: 1,
      actualQueryCost: 0,
      throttleStatus: { maximumAvailable: 3, currentlyAvailable: 0, restoreRate: 1 },
    });

    // The socket and the subscriptions it holds are untouched.
    const product = await app.request('POST', '/v1/products', {
      token: store.key,
      body: { title: 'Still live', variants: [{ sku: 'STILL', price: 100 }] },
    });
    expect(product.status).toBe(201);
    await until(() => accepted.every((subscription) => subscription.received.length === 1));
    expect(closed).toBeUndefined();
  });

  it('shares the bucket with GraphQL over HTTP, per credential and store', async () => {
    const store = await app.createStore([...SCOPES]);
    const client = openClient(app, clients, store.key);
    const subscription = subscribe(client, 'subscription { events { id } }');
    const live = app.running.app.get(LiveEvents);
    await until(() => live.subscriberCount(store.storeId) === 1);
    const query = await app.request('POST', '/graphql', {
      token: store.key,
      body: { query: '{ __typename }' },
    });
    // 3 points, 1 taken by the subscription (and this query costs none).
    expect(query.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(2);
    const other = await app.createStore([...SCOPES]);
    const fresh = await app.request('POST', '/graphql', {
      token: other.key,
      body: { query: '{ __typename }' },
    });
    expect(fresh.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(3);
    subscription.stop();
  });
});
