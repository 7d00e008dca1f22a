import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import pino from 'pino';
import { openPlatformContext, PlatformContext } from '../src/app/application';
import { SCOPES } from '../src/common/scopes';
import { loadConfig } from '../src/config/config';
import { WebhookDispatcher } from '../src/webhooks/webhook-dispatcher';
import { eventSchemaValidator } from './support/event-schemas';
import { startTestApp, TestApp } from './support/test-app';
import { ReceivedWebhook, WebhookReceiver } from './support/webhook-receiver';

/** Webhooks end to end: the REST API, the outbox, the dispatcher and a real receiver. */
describe('webhooks', () => {
  let app: TestApp;
  let receiver: WebhookReceiver;
  let store: { storeId: string; key: string };
  let variantId: string;
  let pathCounter = 0;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // Retries one second apart keep the retry tests short; jitter adds at most 10%.
    app = await startTestApp({ env: { WEBHOOK_RETRY_SCHEDULE: '1,1' } });
    store = await app.createStore([...SCOPES]);
    const product = await app.request('POST', '/v1/products', {
      token: store.key,
      body: { title: 'Mug', variants: [{ sku: 'MUG', price: 1200, inventoryQuantity: 1000 }] },
    });
    variantId = product.body.variants[0].id;
  });
  afterAll(async () => {
    await app?.close();
    await receiver?.close();
  });

  function newPath(): string {
    pathCounter += 1;
    return `/hook-${pathCounter}`;
  }

  async function subscribe(topics: string[], path = newPath(), token = store.key) {
    const response = await app.request('POST', '/v1/webhook-subscriptions', {
      token,
      body: { url: `${receiver.url}${path}`, topics },
    });
    expect(response.status).toBe(201);
    return { ...response.body, path } as { id: string; secret: string; path: string };
  }

  function createOrder(quantity = 1) {
    return app.request('POST', '/v1/orders', {
      token: store.key,
      body: { email: 'ann@example.com', lineItems: [{ variantId, quantity }] },
    });
  }

  function verify(secret: string, webhook: ReceivedWebhook) {
    return new Webhook(secret).verify(webhook.body, webhook.headers) as {
      id: string;
      type: string;
    };
  }

  it('creates a subscription whose secret is shown once and stored encrypted', async () => {
    const subscription = await subscribe(['order.*']);
    expect(subscription.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const fetched = await app.request('GET', `/v1/webhook-subscriptions/${subscription.id}`, {
      token: store.key,
    });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ id: subscription.id, status: 'active', apiVersion: 'v1' });
    expect(fetched.body.secret).toBeUndefined();
    const [row] = await app.running.dataSource.query(
      'SELECT secret_sealed FROM platform.webhook_subscriptions WHERE id = $1',
      [subscription.id],
    );
    expect(row.secret_sealed).not.toContain(subscription.secret.slice(6));
  });

  it('refuses topics the key may not read, and unknown topics', async () => {
    const limited = await app.createStore(['read_products', 'write_webhooks']);
    const response = await app.request('POST', '/v1/webhook-subscriptions', {
      token: limited.key,
      body: { url: `${receiver.url}/x`, topics: ['product.*', 'order.*', 'nope.created'] },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      expect.objectContaining({ path: 'topics.1', code: 'insufficient_scope' }),
      expect.objectContaining({ path: 'topics.2', code: 'unknown_topic' }),
    ]);
  });

  it('delivers a committed order as a Standard Webhooks request, the body being the event', async () => {
    const subscription = await subscribe(['order.created']);
    const order = await createOrder();
    expect(order.status).toBe(201);
    await receiver.waitFor(() => receiver.on(subscription.path).length >= 1);
    const [webhook] = receiver.on(subscription.path);
    const payload = verify(subscription.secret, webhook);
    expect(payload.type).toBe('order.created');
    expect(webhook.headers['webhook-id']).toBe(payload.id);
    const events = await app.request('GET', `/v1/events?type=order.created`, { token: store.key });
    const event = events.body.data.find((item: { id: string }) => item.id === payload.id);
    expect(JSON.parse(webhook.body)).toEqual(event);
    expect(event.data.object.id).toBe(order.body.id);
  });

  it('writes nothing for a change that rolls back', async () => {
    const subscription = await subscribe(['order.*']);
    const refused = await createOrder(9_999);
    expect(refused.status).toBe(409);
    const [{ count }] = await app.running.dataSource.query(
      'SELECT count(*)::int AS count FROM platform.webhook_deliveries WHERE subscription_id = $1',
      [subscription.id],
    );
    expect(count).toBe(0);
  });

  it('retries a failing endpoint with the same id and bytes, then fails, and retries by hand', async () => {
    const subscription = await subscribe(['order.created']);
    receiver.status(subscription.path, 500);
    await createOrder();
    await receiver.waitFor(() => receiver.on(subscription.path).length >= 3);
    const attempts = receiver.on(subscription.path);
    expect(new Set(attempts.map((attempt) => attempt.headers['webhook-id'])).size).toBe(1);
    expect(new Set(attempts.map((attempt) => attempt.body)).size).toBe(1);
    for (const attempt of attempts) verify(subscription.secret, attempt);

    const deliveries = await waitForDelivery(subscription.id, 'failed');
    expect(deliveries.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([
      500, 500, 500,
    ]);

    receiver.status(subscription.path, 204);
    const retried = await app.request('POST', `/v1/webhook-deliveries/${deliveries.id}/retry`, {
      token: store.key,
    });
    expect(retried.status).toBe(202);
    await waitForDelivery(subscription.id, 'succeeded');
    expect(receiver.on(subscription.path)).toHaveLength(4);
  });

  it('does not follow redirects', async () => {
    const subscription = await subscribe(['order.created']);
    const target = newPath();
    receiver.status(subscription.path, 302, { location: `${receiver.url}${target}` });
    await createOrder();
    await receiver.waitFor(() => receiver.on(subscription.path).length >= 1);
    const delivery = await waitForDelivery(subscription.id, 'pending', 1);
    expect(delivery.attempts[0].statusCode).toBe(302);
    expect(receiver.on(target)).toHaveLength(0);
  });

  it('disables a subscription answered 410 Gone, and records webhook_subscription.disabled', async () => {
    const subscription = await subscribe(['order.created']);
    receiver.status(subscription.path, 410);
    await createOrder();
    await waitForDelivery(subscription.id, 'failed');
    const fetched = await waitUntil(async () => {
      const response = await app.request('GET', `/v1/webhook-subscriptions/${subscription.id}`, {
        token: store.key,
      });
      return response.body.status === 'disabled' ? response : undefined;
    });
    expect(fetched.body.disabledReason).toBe('gone');
    const events = await app.request('GET', '/v1/events?type=webhook_subscription.disabled', {
      token: store.key,
    });
    expect(
      events.body.data.map((e: { data: { object: { id: string } } }) => e.data.object.id),
    ).toContain(subscription.id);
    expect(receiver.on(subscription.path)).toHaveLength(1);
  });

  it('keeps delivering to others while one endpoint hangs with a backlog', async () => {
    const hanging = await subscribe(['customer.created']);
    receiver.hang(hanging.path);
    // A backlog beyond the hanging endpoint's share: the excess goes back to the queue.
    for (let i = 0; i < 150; i += 1)
      await app.request('POST', '/v1/customers', {
        token: store.key,
        body: { email: `hang-${i}@example.com` },
      });
    await receiver.waitFor(() => receiver.on(hanging.path).length >= 16);
    const healthy = await subscribe(['order.created']);
    for (let i = 0; i < 5; i += 1) await createOrder();
    await receiver.waitFor(() => receiver.on(healthy.path).length >= 5, 3_000);
    const pending = await app.request('GET', `/v1/webhook-subscriptions/${hanging.id}/deliveries`, {
      token: store.key,
    });
    expect(pending.body.data.every((d: { status: string }) => d.status === 'pending')).toBe(true);
    await app.request('PATCH', `/v1/webhook-subscriptions/${hanging.id}`, {
      token: store.key,
      body: { status: 'disabled' },
    });
  });

  it('deletes a subscription while its backlog is being sent and failing', async () => {
    for (let round = 0; round < 3; round += 1) {
      const subscription = await subscribe(['customer.created']);
      receiver.respond(subscription.path, (_request, response) => {
        setTimeout(() => response.writeHead(500).end(), 20);
      });
      for (let i = 0; i < 30; i += 1)
        await app.request('POST', '/v1/customers', {
          token: store.key,
          body: { email: `del-${round}-${i}@example.com` },
        });
      await receiver.waitFor(() => receiver.on(subscription.path).length >= 5);
      const deleted = await app.request('DELETE', `/v1/webhook-subscriptions/${subscription.id}`, {
        token: store.key,
      });
      expect(deleted.status).toBe(204);
    }
    const unexpected = app.logLines.filter((line) => (line.level as number) >= 50);
    expect(unexpected).toEqual([]);
  });

  it('signs with both secrets during a rotation, then with the new one alone', async () => {
    const subscription = await subscribe(['order.created']);
    const rotated = await app.request(
      'POST',
      `/v1/webhook-subscriptions/${subscription.id}/rotate-secret`,
      { token: store.key, body: { overlapSeconds: 2 } },
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(subscription.secret);
    await createOrder();
    await receiver.waitFor(() => receiver.on(subscription.path).length >= 1);
    const [during] = receiver.on(subscription.path);
    expect(during.headers['webhook-signature'].split(' ')).toHaveLength(2);
    verify(subscription.secret, during);
    verify(rotated.body.secret, during);

    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await createOrder();
    await receiver.waitFor(() => receiver.on(subscription.path).length >= 2);
    const after = receiver.on(subscription.path)[1];
    expect(after.headers['webhook-signature'].split(' ')).toHaveLength(1);
    verify(rotated.body.secret, after);
    expect(() => verify(subscription.secret, after)).toThrow();
  });

  it('sends a webhook.test event on request', async () => {
    const subscription = await subscribe(['product.created']);
    const response = await app.request(
      'POST',
      `/v1/webhook-subscriptions/${subscription.id}/test`,
      {
        token: store.key,
      },
    );
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ eventType: 'webhook.test', status: 'pending' });
    await receiver.waitFor(() => receiver.on(subscription.path).length >= 1);
    expect(verify(subscription.secret, receiver.on(subscription.path)[0]).type).toBe(
      'webhook.test',
    );
    const byEvent = await app.request(
      'GET',
      `/v1/webhook-deliveries?eventId=${response.body.eventId}`,
      { token: store.key },
    );
    expect(byEvent.body.data).toHaveLength(1);
  });

  it("answers 404 for another store's subscriptions and deliveries", async () => {
    const subscription = await subscribe(['order.created']);
    const other = await app.createStore([...SCOPES]);
    for (const [method, path] of [
      ['GET', `/v1/webhook-subscriptions/${subscription.id}`],
      ['PATCH', `/v1/webhook-subscriptions/${subscription.id}`],
      ['DELETE', `/v1/webhook-subscriptions/${subscription.id}`],
      ['POST', `/v1/webhook-subscriptions/${subscription.id}/test`],
      ['POST', `/v1/webhook-subscriptions/${subscription.id}/rotate-secret`],
      ['GET', `/v1/webhook-subscriptions/${subscription.id}/deliveries`],
    ] as const) {
      const response = await app.request(method, path, {
        token: other.key,
        body:
          method === 'PATCH'
            ? { topics: ['order.created'] }
            : method === 'POST' && path.endsWith('secret')
              ? {}
              : undefined,
      });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
    }
    const list = await app.request('GET', '/v1/webhook-subscriptions', { token: other.key });
    expect(list.body.data).toEqual([]);
  });

  it('honours Retry-After on 503 rather than the shorter schedule', async () => {
    const subscription = await subscribe(['order.created']);
    receiver.status(subscription.path, 503, { 'retry-after': '3' });
    await createOrder();
    await receiver.waitFor(() => receiver.on(subscription.path).length >= 1);
    receiver.status(subscription.path, 200);
    await receiver.waitFor(() => receiver.on(subscription.path).length >= 2, 8_000);
    const [first, second] = receiver.on(subscription.path);
    // The schedule says 1 s (+10%); Retry-After says 3 s.
    expect(second.at - first.at).toBeGreaterThanOrEqual(2_900);
  });

  it('disables a subscription that has failed for five days, at its next failure', async () => {
    const subscription = await subscribe(['order.created']);
    await app.running.dataSource.query(
      "UPDATE platform.webhook_subscriptions SET failing_since = now() - interval '5 days 1 minute' WHERE id = $1",
      [subscription.id],
    );
    receiver.status(subscription.path, 500);
    await createOrder();
    const disabled = await waitUntil(async () => {
      const response = await app.request('GET', `/v1/webhook-subscriptions/${subscription.id}`, {
        token: store.key,
      });
      return response.body.status === 'disabled' ? response.body : undefined;
    });
    expect(disabled.disabledReason).toBe('failing_for_5_days');
    // Re-enabled, it starts a new streak instead of being disabled again at once.
    const enabled = await app.request('PATCH', `/v1/webhook-subscriptions/${subscription.id}`, {
      token: store.key,
      body: { status: 'active' },
    });
    expect(enabled.body).toMatchObject({ status: 'active', disabledReason: null });
  });

  it('counts attempts, their duration and the queue lag in /metrics', async () => {
    const metrics = await app.request('GET', '/metrics', { token: null });
    expect(metrics.text).toMatch(/^webhook_attempts_total\{outcome="succeeded"\} [1-9]/m);
    expect(metrics.text).toMatch(/^webhook_attempts_total\{outcome="retrying"\} [1-9]/m);
    expect(metrics.text).toMatch(/^webhook_attempts_total\{outcome="gone"\} 1$/m);
    expect(metrics.text).toMatch(/^webhook_attempt_duration_seconds_count [1-9]/m);
    expect(metrics.text).toMatch(/^webhook_queue_lag_seconds_count [1-9]/m);
  });

  it("validates every webhook this suite received against its topic's schema (GET /v1/event-types)", async () => {
    await expectDeliveriesToMatchTheirSchemas(app, receiver, 200);
  });

  async function waitForDelivery(subscriptionId: string, status: string, minAttempts = 1) {
    return waitUntil(async () => {
      const response = await app.request(
        'GET',
        `/v1/webhook-subscriptions/${subscriptionId}/deliveries`,
        { token: store.key },
      );
      const [delivery] = response.body.data;
      return delivery && delivery.status === status && delivery.attempts.length >= minAttempts
        ? delivery
        : undefined;
    });
  }
});

/**
 * Every body received so far is an envelope that its type's published JSON Schema accepts;
 * `atLeast` guards against a vacuous pass.
 */
async function expectDeliveriesToMatchTheirSchemas(
  app: TestApp,
  receiver: WebhookReceiver,
  atLeast: number,
): Promise<void> {
  const validator = await eventSchemaValidator(app);
  const bodies = receiver.received.map((webhook) => JSON.parse(webhook.body) as { type: string });
  expect(bodies.length).toBeGreaterThanOrEqual(atLeast);
  expect(bodies.flatMap((body) => validator.problems(body))).toEqual([]);
  const types = new Set(bodies.map((body) => body.type));
  expect(types.size).toBeGreaterThan(1);
}

async function waitUntil<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('Timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('webhook URLs outside WEBHOOK_ALLOW_PRIVATE_NETWORKS', () => {
  let app: TestApp;
  let canary: Server;
  let connections = 0;
  let port: number;

  beforeAll(async () => {
    canary = createServer(() => (connections += 1));
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
    port = (canary.address() as AddressInfo).port;
    app = await startTestApp({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' } });
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => canary.close(resolve));
  });

  it.each([
    `http://127.0.0.1:PORT/hook`,
    `http://2130706433:PORT/hook`,
    `http://0x7f.0.0.1:PORT/hook`,
    `http://[::ffff:127.0.0.1]:PORT/hook`,
    `http://localhost:PORT/hook`,
    'http://169.254.169.254/latest/meta-data',
    'http://10.0.0.1/hook',
    'http://[fd00::1]/hook',
  ])('refuses %s with url_not_allowed, and never connects', async (template) => {
    const store = await app.createStore(['read_orders', 'write_webhooks']);
    const response = await app.request('POST', '/v1/webhook-subscriptions', {
      token: store.key,
      body: { url: template.replace('PORT', String(port)), topics: ['order.created'] },
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('url_not_allowed');
    expect(connections).toBe(0);
  });
});

describe.each([
  ['off', 'a separate webhook worker (npm run worker)'],
  ['inline', 'an API process and a worker dispatching together'],
])('with WEBHOOK_DISPATCHER=%s: %s', (dispatcher) => {
  let api: TestApp;
  let worker: PlatformContext;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    api = await startTestApp({ env: { WEBHOOK_DISPATCHER: dispatcher } });
    const config = api.running.config;
    worker = await openPlatformContext(
      loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: api.databaseUrl,
        ENCRYPTION_KEY: config.encryptionKey.toString('base64'),
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        DATA_DIR: config.dataDir,
      }),
      pino({ level: 'silent' }),
      { dispatch: true },
    );
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await receiver?.close();
  });

  it('sends what an API process that does not dispatch commits, and the API sends nothing', async () => {
    const store = await api.createStore([...SCOPES]);
    const subscription = await api.request('POST', '/v1/webhook-subscriptions', {
      token: store.key,
      body: { url: `${receiver.url}/worker`, topics: ['product.created'] },
    });
    const product = await api.request('POST', '/v1/products', {
      token: store.key,
      body: { title: 'Cup', variants: [{ sku: 'CUP', price: 500 }] },
    });
    await receiver.waitFor(() => receiver.on('/worker').length >= 1);
    const [webhook] = receiver.on('/worker');
    const payload = new Webhook(subscription.body.secret).verify(webhook.body, webhook.headers) as {
      data: { object: { id: string } };
    };
    expect(payload.data.object.id).toBe(product.body.id);
    expect(api.running.app.get(WebhookDispatcher)['running']).toBe(dispatcher === 'inline');
  });

  it('sends every delivery exactly once to an endpoint that answers 2xx, however many dispatch', async () => {
    const store = await api.createStore([...SCOPES]);
    await api.request('POST', '/v1/webhook-subscriptions', {
      token: store.key,
      body: { url: `${receiver.url}/once`, topics: ['customer.created'] },
    });
    const created = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        api.request('POST', '/v1/customers', {
          token: store.key,
          body: { email: `c${i}@example.com` },
        }),
      ),
    );
    expect(created.every((response) => response.status === 201)).toBe(true);
    await receiver.waitFor(() => receiver.on('/once').length >= 60);
    // Give a second, duplicate attempt the time to show up if there were one.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ids = receiver.on('/once').map((webhook) => webhook.headers['webhook-id']);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
  });

  it("validates every webhook this suite received against its topic's schema", async () => {
    await expectDeliveriesToMatchTheirSchemas(api, receiver, 61);
  });
});
