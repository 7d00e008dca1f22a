import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { SCOPES } from '../src/auth/scopes';
import { REDIS_URL, redisReachable } from './support/redis';
import { startTestApp, TestApp } from './support/test-app';

const reachable = redisReachable();
if (!reachable)
  console.warn(
    `SKIPPED: Redis does not answer at ${REDIS_URL} (CI starts it); the cross-instance subscription test did not run`,
  );

/**
 * Two instances on one database with REDIS_URL: a change committed through one reaches a
 * GraphQL subscriber connected to the other.
 */
(reachable ? describe : describe.skip)('events across instances through Redis', () => {
  let first: TestApp;
  let second: TestApp;
  let client: Client;

  beforeAll(async () => {
    first = await startTestApp({ env: { REDIS_URL } });
    second = await startTestApp({ env: { REDIS_URL, DATABASE_URL: first.databaseUrl } });
  });
  afterAll(async () => {
    await client?.dispose();
    await second?.close();
    await first?.close();
  });

  it('delivers an event committed on one instance to a subscriber of the other', async () => {
    const store = await first.createStore([...SCOPES]);
    client = createClient({
      url: `${second.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${store.key}` },
      retryAttempts: 0,
    });
    const received: string[] = [];
    const subscribed = new Promise<void>((resolve) => {
      client.on('connected', () => setTimeout(resolve, 200));
    });
    client.subscribe(
      { query: 'subscription { productUpdated { id title } }' },
      {
        next: (result) =>
          received.push(
            (result.data as { productUpdated: { title: string } }).productUpdated.title,
          ),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await subscribed;
    const product = await first.request('POST', '/v1/products', {
      token: store.key,
      body: { title: 'Before', variants: [{ sku: 'X', price: 1 }] },
    });
    await first.request('PATCH', `/v1/products/${product.body.id}`, {
      token: store.key,
      body: { title: 'After' },
    });
    const deadline = Date.now() + 5_000;
    while (received.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toEqual(['After']);
  });
});
