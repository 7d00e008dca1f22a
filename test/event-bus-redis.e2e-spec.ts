import type { Client } from 'graphql-ws';
import { SCOPES } from '../src/common/scopes';
import { REDIS_URL, redisReachable } from './support/redis';
import { startTestApp, TestApp } from './support/test-app';
import { graphqlSocket } from './support/graphql-socket';

const reachable = redisReachable();
if (!reachable)
  console.warn(
    `SKIPPED: Redis does not answer at ${REDIS_URL} (CI starts it); the cross-instance subscription test did not run`,
  );

/**
 * Two instances on one database with REDIS_URL: a change committed through one reaches a
 * GraphQL subscriber connected to the other.
 */
(reachable ? describe : describe.skip)(
  'events and cost buckets across instances through Redis',
  () => {
    let first: TestApp;
    let second: TestApp;
    let client: Client;

    beforeAll(async () => {
      const env = { REDIS_URL, GRAPHQL_COST_BUCKET: '150', GRAPHQL_COST_REFILL_PER_SECOND: '1' };
      first = await startTestApp({ env });
      second = await startTestApp({ env: { ...env, DATABASE_URL: first.databaseUrl } });
    });
    afterAll(async () => {
      await client?.dispose();
      await second?.close();
      await first?.close();
    });

    it('delivers an event committed on one instance to a subscriber of the other', async () => {
      const store = await first.createStore([...SCOPES]);
      client = graphqlSocket(second.url, store.key);
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

    it("shares a credential's GraphQL cost bucket between instances", async () => {
      const { key } = await first.createStore([...SCOPES]);
      const query = '{ products(first: 50) { nodes { id variants { sku } } } }';
      const spent = await first.request('POST', '/graphql', { token: key, body: { query } });
      expect(spent.status).toBe(200);
      expect(spent.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(49);
      const elsewhere = await second.request('POST', '/graphql', { token: key, body: { query } });
      expect(elsewhere.status).toBe(429);
      expect(elsewhere.body.errors[0].extensions.code).toBe('THROTTLED');
    });
  },
);
