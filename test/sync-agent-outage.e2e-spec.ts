import { Client } from 'pg';
import { freePort } from '../harness/ports';
import { storeSchemaName } from '../src/database/store-schema';
import { Relay } from './support/relay';
import {
  AgentProcess,
  buildDist,
  Json,
  listAll,
  startSyncPair,
  SyncPair,
  waiter,
} from './support/sync-agent';

/**
 * The sync agent reaching the platform through a relay that the test cuts and restores on the
 * same port: the network is lost (every connection dropped, new ones refused) while both sides
 * keep changing, and the platform applies a batch whose answer never reaches the agent. Its own
 * pairing (the agent's checkpoints are per platform URL), so it has instances of its own.
 */
let pair: SyncPair;
let relay: Relay;
let agent: AgentProcess | undefined;
const until = waiter(() => agent?.tail(60));

beforeAll(async () => {
  buildDist();
  pair = await startSyncPair('outage-shop');
  relay = new Relay(new URL(pair.platform.url), 80);
  await relay.open();
}, 180_000);

afterAll(async () => {
  await agent?.stop('SIGKILL');
  await relay?.cut();
  await pair?.close();
});

describe('sync agent through a network outage', () => {
  it('network loss and a platform outage lose nothing and double nothing', async () => {
    const { platform, local, keys, storeIds } = pair;
    const schema = storeSchemaName(storeIds.platform);
    const kettle = await local.request('POST', '/v1/products', {
      token: keys.local,
      body: {
        title: 'Kettle',
        handle: 'kettle',
        variants: [{ sku: 'KETTLE-1', price: 3000, inventoryQuantity: 20 }],
      },
    });
    expect(kettle.status).toBe(201);
    const metricsPort = await freePort();
    agent = AgentProcess.start(
      pair,
      'agent-relay',
      ['--metrics-port', String(metricsPort), '--push-interval', '200', '--poll-interval', '500'],
      relay.url(platform.url),
    );
    const platformSkus = async () =>
      (await listAll(platform, keys.platform, '/v1/products')).flatMap((product) =>
        product.variants.map((variant: Json) => ({ product, variant })),
      );
    const platformKettle: Json = await until('the kettle on the platform', async () =>
      (await platformSkus()).find(({ variant }) => variant.sku === 'KETTLE-1'),
    );
    await until('the agent listening', async () =>
      agent!.lines().some((line) => line.msg === 'listening to platform order events'),
    );
    const retries = (path: string) =>
      agent!
        .lines()
        .filter((line) => line.msg === 'platform unreachable; retrying' && line.path === path)
        .length;

    // Network loss: every connection dropped, new ones refused.
    await relay.cut();
    const offline = Array.from({ length: 40 }, (_, index) => `OFF-${index}`);
    let next = 0;
    const createSome = async () => {
      while (next < offline.length) {
        const index = next++;
        const created = await local.request('POST', '/v1/products', {
          token: keys.local,
          body: {
            title: `Offline ${index}`,
            handle: `offline-${index}`,
            variants: [{ sku: offline[index], price: 500 + index, inventoryQuantity: 2 }],
          },
        });
        expect(created.status).toBe(201);
      }
    };
    await Promise.all(Array.from({ length: 4 }, createSome));
    const orders: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const order = await platform.request('POST', '/v1/orders', {
        token: keys.platform,
        body: {
          email: `buyer${index}@example.com`,
          lineItems: [{ variantId: platformKettle.variant.id, quantity: 1 }],
        },
      });
      expect(order.status).toBe(201);
      orders.push(order.body.id);
    }
    await until(
      'the agent retrying both ways',
      async () => retries('/v1/sync/push') > 0 && retries('/v1/sync/changes') > 0,
    );

    // Back, but the platform's answer to the push is lost: the batch waits inside its
    // transaction (the products table held), the network goes again, then the batch commits.
    const holder = new Client({ connectionString: platform.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE ${schema}.products IN SHARE MODE`);
      await relay.open();
      await until(
        'a push waiting inside the platform',
        async () => {
          const [row] = await platform.running.dataSource.query(
            `SELECT count(*)::int AS n FROM pg_locks
              WHERE NOT granted AND relation = '${schema}.products'::regclass`,
          );
          return row.n > 0;
        },
        15_000,
        5,
      );
      const pushRetriesBefore = retries('/v1/sync/push');
      await relay.cut();
      await holder.query('COMMIT');
      await until(
        'the agent losing the answer',
        async () => retries('/v1/sync/push') > pushRetriesBefore,
      );
    } finally {
      await holder.end();
    }
    await until('the batch applied on the platform', async () =>
      (await platformSkus()).some(({ variant }) => variant.sku.startsWith('OFF-')),
    );
    await relay.open();

    // Caught up both ways: nothing left after either checkpoint.
    await until(
      'the agent caught up',
      async () => {
        const [state] = await local.running.dataSource.query(
          `SELECT push_cursor, push_pending_until, pull_cursor FROM platform.sync_agent_state
            WHERE store_id = $1`,
          [storeIds.local],
        );
        if (!state || state.push_pending_until !== null || !state.pull_cursor) return false;
        const [toPush, toPull] = await Promise.all([
          local.request(
            'GET',
            `/v1/sync/changes?resources=product,customer,inventory&cursor=${state.push_cursor}`,
            { token: keys.local },
          ),
          platform.request('GET', `/v1/sync/changes?resources=order&cursor=${state.pull_cursor}`, {
            token: keys.platform,
          }),
        ]);
        return toPush.body.changes.length === 0 && toPull.body.changes.length === 0;
      },
      30_000,
      100,
    );

    // Every local product on the platform exactly once.
    const skus = (await platformSkus()).map(({ variant }) => variant.sku as string).sort();
    expect(skus).toEqual(['KETTLE-1', ...offline].sort());
    // Every platform order here exactly once, by its link and by what it took.
    const links: { external_id: string; resource_id: string }[] =
      await local.running.dataSource.query(
        `SELECT external_id, resource_id FROM ${storeSchemaName(storeIds.local)}.sync_links
          WHERE resource = 'order'`,
      );
    expect(links.map((link) => link.external_id).sort()).toEqual([...orders].sort());
    const localOrders = await listAll(local, keys.local, '/v1/orders');
    expect(localOrders.map((order) => order.id).sort()).toEqual(
      links.map((link) => link.resource_id).sort(),
    );
    expect(localOrders.map((order) => order.email).sort()).toEqual([
      'buyer0@example.com',
      'buyer1@example.com',
      'buyer2@example.com',
    ]);
    const localKettle = await local.request('GET', `/v1/products/${kettle.body.id}`, {
      token: keys.local,
    });
    expect(localKettle.body.variants[0].inventoryQuantity).toBe(17);
    const [onPlatform] = (await platformSkus()).filter(({ variant }) => variant.sku === 'KETTLE-1');
    expect(onPlatform.variant.inventoryQuantity).toBe(17);

    // The lost answer was replayed, not applied again; the agent retried, and says so.
    expect(
      agent.lines().some((line) => line.msg === 'pushed local changes' && line.replayed === true),
    ).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const networkRetries = /^sync_agent_http_retries_total\{reason="network"\} (\d+)$/m.exec(
      metrics,
    );
    expect(Number(networkRetries?.[1])).toBeGreaterThanOrEqual(3);
    expect(
      await local.running.dataSource.query('SELECT * FROM platform.sync_agent_failures'),
    ).toEqual([]);
    expect(agent.running).toBe(true);
  }, 60_000);
});
