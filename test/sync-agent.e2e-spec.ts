import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { SCOPES } from '../src/common/scopes';
import { newId } from '../src/common/ids';
import { RequestContext } from '../src/common/request-context';
import { CustomersService } from '../src/customers/customers.service';
import { freePort } from '../harness/ports';
import { storeSchemaName } from '../src/database/store-schema';
import {
  AgentProcess,
  buildDist,
  Json,
  listAll,
  startSyncPair,
  SyncPair,
  waiter,
} from './support/sync-agent';
import type { TestApp } from './support/test-app';

/**
 * The sync agent between two real instances on two databases: a self-hosted one (the "local"
 * instance, holding one store) and the platform, with the agent as a real process run with the
 * local instance's environment, as `npm run sync` runs it. Catalogue and customers flow up,
 * marketplace orders flow down, a SIGKILL in the middle of a large push loses and doubles
 * nothing, and edits made on both sides while the agent was stopped follow the store's conflict
 * policies.
 */
const handle = 'corner-shop';

let pair: SyncPair;
let platform: TestApp;
let local: TestApp;
/** The test's own keys (every scope) on each side, and the agent's key on the platform. */
let keys: SyncPair['keys'];
let storeIds: SyncPair['storeIds'];
let agent: AgentProcess | undefined;

const startAgent = (name: string, extraArgs: string[] = []) =>
  AgentProcess.start(pair, name, extraArgs);
const until = waiter(() => agent?.tail());

async function platformProduct(sku: string): Promise<Json | undefined> {
  const products = await listAll(platform, keys.platform, '/v1/products');
  return products.find((product) => product.variants.some((v: Json) => v.sku === sku));
}

async function platformCustomer(email: string): Promise<Json | undefined> {
  const customers = await listAll(platform, keys.platform, '/v1/customers');
  return customers.find((customer) => customer.email === email);
}

beforeAll(async () => {
  buildDist();
  pair = await startSyncPair(handle);
  ({ platform, local, keys, storeIds } = pair);
}, 180_000);

afterAll(async () => {
  await agent?.stop('SIGKILL');
  await pair?.close();
});

describe('sync agent', () => {
  let mug: Json;
  let metricsPort: number;

  it('pushes products and customers created, updated and deleted locally to the platform', async () => {
    const created = await local.request('POST', '/v1/products', {
      token: keys.local,
      body: {
        title: 'Mug',
        handle: 'mug',
        tags: ['kitchen'],
        variants: [{ sku: 'MUG-1', title: 'White', price: 1200, inventoryQuantity: 10 }],
      },
    });
    expect(created.status).toBe(201);
    mug = created.body;
    const ann = await local.request('POST', '/v1/customers', {
      token: keys.local,
      body: { email: 'ann@example.com', firstName: 'Ann' },
    });
    expect(ann.status).toBe(201);

    metricsPort = await freePort();
    agent = startAgent('agent-1', ['--metrics-port', String(metricsPort)]);

    const pushed = await until('the mug on the platform', () => platformProduct('MUG-1'));
    expect(pushed).toMatchObject({
      title: 'Mug',
      handle: 'mug',
      tags: ['kitchen'],
      variants: [{ sku: 'MUG-1', title: 'White', price: 1200, inventoryQuantity: 10 }],
    });
    expect(pushed.id).not.toBe(mug.id);
    await until('Ann on the platform', () => platformCustomer('ann@example.com'));

    const renamed = await local.request('PATCH', `/v1/products/${mug.id}`, {
      token: keys.local,
      body: { title: 'Big mug' },
    });
    expect(renamed.status).toBe(200);
    await local.request('PATCH', `/v1/customers/${ann.body.id}`, {
      token: keys.local,
      body: { lastName: 'Lee' },
    });
    const adjusted = await local.request('POST', '/v1/inventory/adjustments', {
      token: keys.local,
      body: { variantId: mug.variants[0].id, delta: -3, reason: 'damaged' },
    });
    expect(adjusted.status).toBe(201);
    await until('the update on the platform', async () => {
      const product = await platformProduct('MUG-1');
      return product?.title === 'Big mug' && product.variants[0].inventoryQuantity === 7;
    });
    await until(
      'the customer update on the platform',
      async () => (await platformCustomer('ann@example.com'))?.lastName === 'Lee',
    );

    const plate = await local.request('POST', '/v1/products', {
      token: keys.local,
      body: { title: 'Plate', variants: [{ sku: 'PLATE-1', price: 900, inventoryQuantity: 4 }] },
    });
    const bob = await local.request('POST', '/v1/customers', {
      token: keys.local,
      body: { email: 'bob@example.com' },
    });
    await until('the plate on the platform', () => platformProduct('PLATE-1'));
    await until('Bob on the platform', () => platformCustomer('bob@example.com'));
    expect(
      (await local.request('DELETE', `/v1/products/${plate.body.id}`, { token: keys.local }))
        .status,
    ).toBe(204);
    expect(
      (await local.request('DELETE', `/v1/customers/${bob.body.id}`, { token: keys.local })).status,
    ).toBe(204);
    await until(
      'the plate gone from the platform',
      async () => !(await platformProduct('PLATE-1')),
    );
    await until(
      'Bob gone from the platform',
      async () => !(await platformCustomer('bob@example.com')),
    );
    expect(agent.running).toBe(true);
  }, 60_000);

  it('brings an order placed on the platform to the self-hosted store at once, taking local stock', async () => {
    const onPlatform = await platformProduct('MUG-1');
    const variantId: string = onPlatform.variants[0].id;
    const localStock = async () =>
      (await local.request('GET', `/v1/products/${mug.id}`, { token: keys.local })).body.variants[0]
        .inventoryQuantity as number;
    const before = await localStock();
    expect(before).toBe(7);
    // The real-time subscription is open once the agent said so.
    await until('the agent listening', async () =>
      agent!.lines().some((line) => line.msg === 'listening to platform order events'),
    );

    const latencies: number[] = [];
    const orderIds: { platform: string; local: string }[] = [];
    for (let index = 0; index < 5; index += 1) {
      const email = `buyer${index}@example.com`;
      const order = await platform.request('POST', '/v1/orders', {
        token: keys.platform,
        body: { email, lineItems: [{ variantId, quantity: 1 }] },
      });
      expect(order.status).toBe(201);
      const placedAt = performance.now();
      const arrived: Json = await until(
        `order ${index} on the self-hosted store`,
        async () => {
          const orders = await local.request('GET', '/v1/orders?limit=250', { token: keys.local });
          return orders.body.data.find((each: Json) => each.email === email);
        },
        5_000,
        5,
      );
      latencies.push(performance.now() - placedAt);
      expect(arrived).toMatchObject({
        email,
        lineItems: [{ sku: 'MUG-1', quantity: 1, variantId: mug.variants[0].id }],
        status: 'open',
        financialStatus: 'pending',
      });
      orderIds.push({ platform: order.body.id, local: arrived.id });
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `platform order -> self-hosted store latency (ms, 201 to visible locally, polled every 5 ms): ${latencies
        .map((ms) => ms.toFixed(0))
        .join(', ')}; median ${sorted[2].toFixed(0)}, max ${sorted[4].toFixed(0)}`,
    );
    expect(Math.max(...latencies)).toBeLessThan(5_000);
    expect(await localStock()).toBe(before - 5);

    // Later states follow, with what was recorded beside them: paid and fulfilled (with its
    // tracking) closes it; a cancelled one (with its reason) returns its stock.
    const [first, second] = orderIds;
    const steps: [string, string, object][] = [
      [first.platform, 'pay', {}],
      [first.platform, 'fulfill', { trackingNumber: '1Z999AA10123456784', carrier: 'UPS' }],
      [second.platform, 'cancel', { reason: 'customer' }],
    ];
    for (const [id, step, body] of steps)
      expect(
        (await platform.request('POST', `/v1/orders/${id}/${step}`, { token: keys.platform, body }))
          .status,
      ).toBe(200);
    await until('the order states on the self-hosted store', async () => {
      const closed = await local.request('GET', `/v1/orders/${first.local}`, { token: keys.local });
      const cancelled = await local.request('GET', `/v1/orders/${second.local}`, {
        token: keys.local,
      });
      return (
        closed.body.status === 'closed' &&
        closed.body.financialStatus === 'paid' &&
        closed.body.fulfillmentStatus === 'fulfilled' &&
        cancelled.body.status === 'cancelled'
      );
    });
    const closed = await local.request('GET', `/v1/orders/${first.local}`, { token: keys.local });
    expect(closed.body).toMatchObject({ trackingNumber: '1Z999AA10123456784', carrier: 'UPS' });
    const cancelled = await local.request('GET', `/v1/orders/${second.local}`, {
      token: keys.local,
    });
    expect(cancelled.body.cancelReason).toBe('customer');
    expect(await localStock()).toBe(before - 4);
    // The local stock level, which the self-hosted side owns, is what the platform ends with.
    await until(
      'the stock level back on the platform',
      async () => (await platformProduct('MUG-1'))?.variants[0].inventoryQuantity === before - 4,
    );
    const localOrders = await listAll(local, keys.local, '/v1/orders');
    expect(localOrders).toHaveLength(5);

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(
      /^sync_agent_changes_pulled_total\{resource="order",outcome="created"\} 5$/m,
    );
    expect(metrics).toMatch(
      /^sync_agent_changes_pushed_total\{resource="product",status="applied"\} \d+$/m,
    );
    expect(metrics).toMatch(/^sync_agent_lag_seconds\{direction="pull"\} /m);
    expect(metrics).toMatch(/^sync_agent_realtime_connected 1$/m);
  }, 60_000);

  it('stops cleanly on SIGTERM', async () => {
    expect(await agent!.stop('SIGTERM')).toBe(0);
    expect(agent!.lines().some((line) => line.msg === 'sync agent stopping')).toBe(true);
  }, 30_000);

  it('ends with both sides equal after a SIGKILL in the middle of a large push', async () => {
    // SYNC_AGENT_PRODUCTS=10000 measures the initial sync rate the issue asks about.
    const count = Number(process.env.SYNC_AGENT_PRODUCTS ?? 1_500);
    let next = 0;
    const createSome = async () => {
      while (next < count) {
        const index = next++;
        const created = await local.request('POST', '/v1/products', {
          token: keys.local,
          body: {
            title: `Bulk ${index}`,
            handle: `bulk-${index}`,
            variants: [{ sku: `BULK-${index}`, price: 100 + index, inventoryQuantity: 5 }],
          },
        });
        expect(created.status).toBe(201);
      }
    };
    await Promise.all(Array.from({ length: 8 }, createSome));

    const schema = storeSchemaName(storeIds.platform);
    const bulkOnPlatform = async () => {
      const [row] = await platform.running.dataSource.query(
        `SELECT count(*)::int AS n FROM ${schema}.products WHERE handle LIKE 'bulk-%'`,
      );
      return row.n as number;
    };
    agent = startAgent('agent-2');
    const startedAt = performance.now();
    // Killed as soon as the first batch is in: the next one is in flight, or its checkpoint not
    // yet written, or both.
    const atKill = await until(
      'a first batch on the platform',
      async () => {
        const n = await bulkOnPlatform();
        return n > 0 ? n : undefined;
      },
      60_000,
      5,
    );
    await agent.stop('SIGKILL');
    expect(atKill).toBeLessThan(count);

    agent = startAgent('agent-3');
    await until(
      'every product on the platform',
      async () => (await bulkOnPlatform()) === count,
      120_000,
      50,
    );
    const seconds = (performance.now() - startedAt) / 1000;
    console.log(
      `initial sync of ${count} products across a SIGKILL (killed at ${atKill} on the platform): ${seconds.toFixed(1)} s, ${(count / seconds).toFixed(0)} products/s; replayed batch after restart: ${agent
        .lines()
        .some((line) => line.msg === 'pushed local changes' && line.replayed === true)}`,
    );

    const summary = (products: Json[]) =>
      products
        .flatMap((product) =>
          product.variants.map(
            (variant: Json) =>
              `${variant.sku}|${product.title}|${product.handle}|${variant.price}|${variant.inventoryQuantity}`,
          ),
        )
        .sort();
    const [localProducts, platformProducts] = await Promise.all([
      listAll(local, keys.local, '/v1/products'),
      listAll(platform, keys.platform, '/v1/products'),
    ]);
    expect(platformProducts).toHaveLength(localProducts.length);
    expect(summary(platformProducts)).toEqual(summary(localProducts));
    const skus = platformProducts.flatMap((product) => product.variants.map((v: Json) => v.sku));
    expect(new Set(skus).size).toBe(skus.length);
    const [localCustomers, platformCustomers] = await Promise.all([
      listAll(local, keys.local, '/v1/customers'),
      listAll(platform, keys.platform, '/v1/customers'),
    ]);
    expect(platformCustomers.map((c) => c.email).sort()).toEqual(
      localCustomers.map((c) => c.email).sort(),
    );
    const failures = await local.running.dataSource.query(
      'SELECT * FROM platform.sync_agent_failures',
    );
    expect(failures).toEqual([]);
  }, 240_000);
});

describe('sync agent and concurrent edits', () => {
  type Kind = 'product' | 'customer';
  /** A resource created on the self-hosted side: its local id, and its platform id once synced. */
  interface Synced {
    readonly kind: Kind;
    readonly local: string;
    platform?: string;
  }
  const resources: Record<string, Synced> = {};

  /** The platform version the agent last saw of each local resource (its next `baseVersion`). */
  const agentVersions = async (externalIds: string[]) => {
    const rows: { external_id: string; platform_id: string; version: number }[] =
      await local.running.dataSource.query(
        `SELECT external_id, platform_id, version FROM platform.sync_agent_versions
          WHERE store_id = $1 AND external_id = ANY($2)`,
        [storeIds.local, externalIds],
      );
    return new Map(rows.map((row) => [row.external_id, row]));
  };
  const conflicts = (status: 'open' | 'resolved' | 'all') =>
    listAll(platform, keys.platform, `/v1/sync/conflicts?status=${status}`);
  const read = async (app: TestApp, token: string, path: string) => {
    const answer = await app.request('GET', path, { token });
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const pathOf = (resource: Synced, id: string) =>
    `/v1/${resource.kind === 'product' ? 'products' : 'customers'}/${id}`;
  const onPlatform = (name: string) =>
    read(platform, keys.platform, pathOf(resources[name], resources[name].platform!));
  const onLocal = (name: string) =>
    read(local, keys.local, pathOf(resources[name], resources[name].local));
  const edit = async (side: 'local' | 'platform', name: string, body: Json) => {
    const resource = resources[name];
    const [app, token, id] =
      side === 'local'
        ? [local, keys.local, resource.local]
        : [platform, keys.platform, resource.platform!];
    const answer = await app.request('PATCH', pathOf(resource, id), { token, body });
    expect(answer.status).toBe(200);
    return answer.body;
  };
  /** What sync keeps equal on both sides (ids and versions are each side's own). */
  const view = (resource: Json) =>
    resource.variants
      ? {
          title: resource.title,
          handle: resource.handle,
          description: resource.description,
          status: resource.status,
          tags: resource.tags,
          variants: resource.variants
            .map((v: Json) => ({
              sku: v.sku,
              title: v.title,
              price: v.price,
              inventoryQuantity: v.inventoryQuantity,
            }))
            .sort((a: Json, b: Json) => a.sku.localeCompare(b.sku)),
        }
      : {
          email: resource.email,
          firstName: resource.firstName,
          lastName: resource.lastName,
          phone: resource.phone,
        };
  /** Waits until the agent holds the platform's current version of each (pushed, nothing left). */
  const inStep = (names: string[]) =>
    until(`${names.join(', ')} in step`, async () => {
      const seen = await agentVersions(names.map((name) => resources[name].local));
      for (const name of names) {
        const row = seen.get(resources[name].local);
        if (!row) return false;
        resources[name].platform = row.platform_id;
        if ((await onPlatform(name)).version !== row.version) return false;
      }
      return true;
    });
  /** Waits until each reads the same on both sides, and answers the platform's versions. */
  const converged = (names: string[]) =>
    until(`${names.join(', ')} equal on both sides`, async () => {
      const versions: Record<string, number> = {};
      for (const name of names) {
        const [here, there] = await Promise.all([onLocal(name), onPlatform(name)]);
        if (!isDeepStrictEqual(view(here), view(there))) return false;
        versions[name] = there.version;
      }
      return versions;
    });
  /** Waits until the running agent's log reports a conflict on `name`. */
  const agentToldOfConflict = (name: string) =>
    until(`the agent reporting the conflict on ${name}`, async () =>
      agent!
        .lines()
        .some(
          (line) =>
            line.msg === 'the platform reported a conflicting edit' &&
            line.externalId === resources[name].local,
        ),
    );
  const stopAgent = async () => expect(await agent!.stop('SIGTERM')).toBe(0);
  const setPolicies = async (body: Json) => {
    const answer = await platform.request('PATCH', '/v1/sync/policies', {
      token: keys.platform,
      body,
    });
    expect(answer.status).toBe(200);
  };

  it('keeps disjoint edits of both sides, clears what was cleared, and converges without going back and forth', async () => {
    if (!agent?.running) agent = startAgent('agent-4');
    const create = async (name: string, kind: Kind, body: Json) => {
      const answer = await local.request('POST', `/v1/${kind}s`, { token: keys.local, body });
      expect(answer.status).toBe(201);
      resources[name] = { kind, local: answer.body.id };
    };
    await Promise.all([
      create('kettle', 'product', {
        title: 'Kettle',
        handle: 'kettle',
        description: 'Boils water.',
        variants: [{ sku: 'KETTLE-1', price: 3000, inventoryQuantity: 3 }],
      }),
      create('teapot', 'product', {
        title: 'Teapot',
        handle: 'teapot',
        description: 'Brews tea.',
        variants: [{ sku: 'TEAPOT-1', price: 2500, inventoryQuantity: 4 }],
      }),
      create('cleo', 'customer', {
        email: 'cleo@example.com',
        firstName: 'Cleo',
        lastName: 'Park',
      }),
      create('dan', 'customer', { email: 'dan@example.com', firstName: 'Dan', lastName: 'Ode' }),
      create('eve', 'customer', {
        email: 'eve@example.com',
        firstName: 'Eve',
        lastName: 'Stone',
        phone: '+44 20 7946 0000',
      }),
    ]);
    const all = Object.keys(resources);
    await inStep(all);
    await stopAgent();

    // Edits on both sides while the agent is stopped, with the default policies (product:
    // self_hosted_wins, customer: merge). Different fields of one resource, each side's own.
    const [kettleHere, kettleThere, teapotThere] = await Promise.all([
      onLocal('kettle'),
      onPlatform('kettle'),
      onPlatform('teapot'),
    ]);
    await edit('local', 'kettle', {
      title: 'Kettle (local)',
      variants: [
        { id: kettleHere.variants[0].id },
        { sku: 'KETTLE-2', price: 3500, inventoryQuantity: 2 },
      ],
    });
    await edit('platform', 'kettle', {
      description: 'Boils water fast (platform).',
      variants: [{ id: kettleThere.variants[0].id, price: 3200 }],
    });
    const teapotHere = await onLocal('teapot');
    await edit('local', 'teapot', {
      description: '',
      variants: [{ id: teapotHere.variants[0].id, price: 2600 }],
    });
    await edit('platform', 'teapot', {
      variants: [
        { id: teapotThere.variants[0].id },
        { sku: 'TEAPOT-2', title: 'Large', price: 3900, inventoryQuantity: 6 },
      ],
    });
    await edit('local', 'cleo', { firstName: 'Cleo-local' });
    await edit('platform', 'cleo', { lastName: 'Park-platform' });
    // Cleared here: names over REST, the phone by the customers service (REST has no way to
    // clear a phone; a hosted admin form would call the service so).
    await edit('local', 'eve', { lastName: '' });
    await local.running.app
      .get(CustomersService)
      .update(RequestContext.system(storeIds.local, newId('req'), SCOPES), resources.eve.local, {
        phone: '',
      });
    // The same field of one customer on both sides: for a person to decide.
    await edit('local', 'dan', { firstName: 'Dan-local' });
    await edit('platform', 'dan', { firstName: 'Dan-platform' });

    agent = startAgent('agent-5');
    const versions = await converged(['kettle', 'teapot', 'cleo', 'eve']);
    expect(view(await onPlatform('kettle'))).toMatchObject({
      title: 'Kettle (local)',
      description: 'Boils water fast (platform).',
      variants: [
        { sku: 'KETTLE-1', price: 3200, inventoryQuantity: 3 },
        { sku: 'KETTLE-2', price: 3500, inventoryQuantity: 2 },
      ],
    });
    // A variant added on the platform reaches the self-hosted store with the platform's stock.
    expect(view(await onLocal('teapot'))).toMatchObject({
      description: '',
      variants: [
        { sku: 'TEAPOT-1', price: 2600, inventoryQuantity: 4 },
        { sku: 'TEAPOT-2', title: 'Large', price: 3900, inventoryQuantity: 6 },
      ],
    });
    expect(view(await onPlatform('cleo'))).toMatchObject({
      firstName: 'Cleo-local',
      lastName: 'Park-platform',
    });
    expect(view(await onPlatform('eve'))).toEqual({
      email: 'eve@example.com',
      firstName: 'Eve',
      lastName: '',
      phone: '',
    });
    const open: Json = await until('the open conflict on Dan', async () =>
      (await conflicts('open')).find((conflict) => conflict.externalId === resources.dan.local),
    );
    expect(open).toMatchObject({
      resource: 'customer',
      resourceId: resources.dan.platform,
      policy: 'merge',
      fields: ['firstName'],
      serverData: { firstName: 'Dan-platform' },
      incomingData: { firstName: 'Dan-local' },
    });
    expect((await onPlatform('dan')).firstName).toBe('Dan-platform');
    expect((await onLocal('dan')).firstName).toBe('Dan-local');
    const settled = await conflicts('resolved');
    for (const name of ['kettle', 'teapot', 'cleo'])
      expect(
        settled.filter((conflict) => conflict.externalId === resources[name].local),
      ).toMatchObject([{ resolution: 'merged', fields: [] }]);
    expect(
      agent
        .lines()
        .filter((line) => line.msg === 'took over the platform’s values')
        .map((line) => line.externalId)
        .sort(),
    ).toEqual([resources.cleo.local, resources.kettle.local, resources.teapot.local].sort());

    // Settled: the agent bases its next pushes on the platform's current versions, and taking
    // over the platform's values was pushed back as `unchanged`, moving nothing. A change pushed
    // after those finds every version where it was.
    await inStep(['kettle', 'teapot', 'cleo', 'eve']);
    const marker = await local.request('POST', '/v1/products', {
      token: keys.local,
      body: { title: 'Marker', variants: [{ sku: 'MARKER-1', price: 100 }] },
    });
    expect(marker.status).toBe(201);
    await until('the marker on the platform', () => platformProduct('MARKER-1'));
    expect(await converged(['kettle', 'teapot', 'cleo', 'eve'])).toEqual(versions);
  }, 60_000);

  it('under platform_wins, applies the self-hosted side’s other changes and brings the platform’s value back', async () => {
    await stopAgent();
    await setPolicies({ product: 'platform_wins' });
    await edit('local', 'kettle', {
      title: 'Kettle v2 (local)',
      description: 'Local description.',
    });
    await edit('platform', 'kettle', { title: 'Kettle v2 (platform)' });

    agent = startAgent('agent-6');
    const platformWon: Json = await until(
      'the product conflict settled for the platform',
      async () =>
        (await conflicts('resolved')).find(
          (conflict) =>
            conflict.externalId === resources.kettle.local &&
            conflict.resolution === 'platform_won',
        ),
    );
    expect(platformWon).toMatchObject({
      resource: 'product',
      policy: 'platform_wins',
      fields: ['title'],
      serverData: { title: 'Kettle v2 (platform)' },
      incomingData: { title: 'Kettle v2 (local)' },
    });
    await converged(['kettle']);
    expect(await onLocal('kettle')).toMatchObject({
      title: 'Kettle v2 (platform)',
      description: 'Local description.',
    });
    await inStep(['kettle']);
    await agentToldOfConflict('kettle');

    // Dan's conflict waits for a person; keeping the self-hosted side writes the local value.
    const [open] = await conflicts('open');
    expect(open.externalId).toBe(resources.dan.local);
    const resolved = await platform.request('POST', `/v1/sync/conflicts/${open.id}/resolve`, {
      token: keys.platform,
      body: { keep: 'self_hosted' },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolution: 'self_hosted_kept' });
    await converged(['dan']);
    expect(await onPlatform('dan')).toMatchObject({ firstName: 'Dan-local', lastName: 'Ode' });
    expect(await conflicts('open')).toEqual([]);
  }, 60_000);

  it('under manual, applies the rest and leaves the field both changed to a person, whose choice reaches the self-hosted store', async () => {
    await stopAgent();
    await setPolicies({ product: 'manual' });
    const base = (await agentVersions([resources.kettle.local])).get(resources.kettle.local)!;
    await edit('local', 'kettle', { title: 'Kettle v3 (local)', tags: ['kitchen', 'gift'] });
    await edit('platform', 'kettle', { title: 'Kettle v3 (platform)' });

    agent = startAgent('agent-7');
    const open: Json = await until('the open conflict on the kettle', async () =>
      (await conflicts('open')).find((conflict) => conflict.externalId === resources.kettle.local),
    );
    expect(open).toMatchObject({ policy: 'manual', fields: ['title'] });
    expect(await onPlatform('kettle')).toMatchObject({
      title: 'Kettle v3 (platform)',
      tags: ['kitchen', 'gift'],
    });
    await agentToldOfConflict('kettle');
    // The self-hosted side keeps its title and its base while a person decides.
    expect((await onLocal('kettle')).title).toBe('Kettle v3 (local)');
    expect((await agentVersions([resources.kettle.local])).get(resources.kettle.local)).toEqual(
      base,
    );

    const resolved = await platform.request('POST', `/v1/sync/conflicts/${open.id}/resolve`, {
      token: keys.platform,
      body: { keep: 'platform' },
    });
    expect(resolved.status).toBe(200);
    // The next push of the kettle meets the decided disagreement, settled as the person did.
    await edit('local', 'kettle', { status: 'draft' });
    await converged(['kettle']);
    expect(await onLocal('kettle')).toMatchObject({
      title: 'Kettle v3 (platform)',
      tags: ['kitchen', 'gift'],
      status: 'draft',
    });
    await inStep(['kettle']);
    expect(await conflicts('open')).toEqual([]);
    expect(agent.running).toBe(true);
  }, 60_000);
});
