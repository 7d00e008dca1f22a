import { SCOPES } from '../src/auth/scopes';
import { startTestApp, TestApp } from './support/test-app';

interface Change {
  cursor: string;
  resource: string;
  id: string;
  externalId: string | null;
  op: string;
  version: number | null;
  data: Record<string, unknown>;
}

/** The sync API as a self-hosted store's agent uses it: the change feed, push, conflicts. */
describe('sync API', () => {
  let app: TestApp;
  let store: { storeId: string; key: string };

  beforeAll(async () => {
    app = await startTestApp();
    store = await app.createStore([...SCOPES]);
  });
  afterAll(() => app.close());

  const push = (batchId: string, changes: unknown[], token = store.key) =>
    app.request('POST', '/v1/sync/push', { token, body: { batchId, changes } });

  const product = (sku: string, title = `Product ${sku}`, price = 1000) => ({
    title,
    variants: [{ sku, price, inventoryQuantity: 5 }],
  });

  async function allChanges(query = '', token = store.key): Promise<Change[]> {
    const changes: Change[] = [];
    let cursor = '';
    for (;;) {
      const page = await app.request(
        'GET',
        `/v1/sync/changes?limit=7${cursor ? `&cursor=${cursor}` : ''}${query}`,
        { token },
      );
      expect(page.status).toBe(200);
      changes.push(...page.body.changes);
      cursor = page.body.nextCursor;
      if (!page.body.hasMore) return changes;
    }
  }

  it('creates, updates and deletes by external id, and the feed shows each change in order', async () => {
    const created = await push('b-1', [
      { resource: 'product', externalId: 'local-p1', baseVersion: null, data: product('P1') },
      {
        resource: 'customer',
        externalId: 'local-c1',
        baseVersion: null,
        data: { email: 'c1@example.com', firstName: 'Ann' },
      },
    ]);
    expect(created.status).toBe(200);
    expect(created.body.results.map((r: { status: string }) => r.status)).toEqual([
      'applied',
      'applied',
    ]);
    const [p1, c1] = created.body.results;
    expect(p1).toMatchObject({ externalId: 'local-p1', version: 1 });
    expect(p1.id).toMatch(/^prod_/);
    // The same data again changes nothing.
    const same = await push('b-2', [
      { resource: 'product', externalId: 'local-p1', baseVersion: 1, data: product('P1') },
    ]);
    expect(same.body.results[0]).toMatchObject({ status: 'unchanged', id: p1.id, version: 1 });
    const updated = await push('b-3', [
      {
        resource: 'product',
        externalId: 'local-p1',
        baseVersion: 1,
        data: product('P1', 'Renamed'),
      },
      {
        resource: 'inventory',
        externalId: 'P1',
        baseVersion: null,
        data: { sku: 'P1', inventoryQuantity: 9 },
      },
      { resource: 'customer', externalId: 'local-c1', baseVersion: 1, deleted: true, data: {} },
    ]);
    expect(updated.body.results.map((r: { status: string }) => r.status)).toEqual([
      'applied',
      'applied',
      'applied',
    ]);
    expect(updated.body.results[0].version).toBe(2);
    const rest = await app.request('GET', `/v1/products/${p1.id}`, { token: store.key });
    expect(rest.body.title).toBe('Renamed');
    expect(rest.body.variants[0].inventoryQuantity).toBe(9);
    expect((await app.request('GET', `/v1/customers/${c1.id}`, { token: store.key })).status).toBe(
      404,
    );

    const changes = await allChanges();
    expect(changes.map((c) => `${c.resource}:${c.op}:${c.externalId}`)).toEqual([
      'product:upsert:local-p1',
      'customer:upsert:local-c1',
      'product:upsert:local-p1',
      'inventory:upsert:P1',
      'customer:delete:local-c1',
    ]);
    expect(changes[2]).toMatchObject({ id: p1.id, version: 2, data: { title: 'Renamed' } });
    // Filtered by resource, and resumable from any cursor.
    const products = await allChanges('&resources=product');
    expect(products.map((c) => c.version)).toEqual([1, 2]);
    const tail = await app.request('GET', `/v1/sync/changes?cursor=${changes[2].cursor}`, {
      token: store.key,
    });
    expect(tail.body.changes.map((c: Change) => c.resource)).toEqual(['inventory', 'customer']);
    expect(tail.body.hasMore).toBe(false);
    // The cursor at the end stays valid and answers nothing new.
    const end = await app.request('GET', `/v1/sync/changes?cursor=${tail.body.nextCursor}`, {
      token: store.key,
    });
    expect(end.body.changes).toEqual([]);
  });

  it('replays a batch id without applying it twice, also when two replays race', async () => {
    const batch = [
      { resource: 'product', externalId: 'race-1', baseVersion: null, data: product('RACE-1') },
    ];
    const answers = await Promise.all([
      push('race', batch),
      push('race', batch),
      push('race', batch),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(new Set(answers.map((a) => a.body.results[0].id)).size).toBe(1);
    expect(answers.filter((a) => a.body.replayed === false)).toHaveLength(1);
    const list = await app.request('GET', '/v1/products?limit=250', { token: store.key });
    expect(
      list.body.data.filter((p: { title: string }) => p.title === 'Product RACE-1'),
    ).toHaveLength(1);
    const reused = await push('race', [{ ...batch[0], data: product('RACE-2') }]);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('batch_id_reused');
  });

  it('reports invalid items one by one and applies the rest; refuses an oversized batch with 413', async () => {
    const answer = await push('mixed', [
      { resource: 'product', externalId: 'ok-1', baseVersion: null, data: product('OK-1') },
      {
        resource: 'product',
        externalId: 'bad-1',
        baseVersion: null,
        data: { title: '', variants: [] },
      },
      { resource: 'product', externalId: 'dup-sku', baseVersion: null, data: product('OK-1') },
      {
        resource: 'inventory',
        externalId: 'NOPE',
        baseVersion: null,
        data: { sku: 'NOPE', inventoryQuantity: 1 },
      },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body.results.map((r: { status: string }) => r.status)).toEqual([
      'applied',
      'invalid',
      'invalid',
      'invalid',
    ]);
    expect(answer.body.results[1].errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['data.title', 'data.variants']),
    );
    // The failed items left no event behind.
    const changes = await allChanges('&resources=product');
    expect(changes.filter((c) => c.externalId === 'dup-sku')).toEqual([]);
    const big = await push(
      'big',
      Array.from({ length: 501 }, (_, i) => ({
        resource: 'customer',
        externalId: `c-${i}`,
        baseVersion: null,
        data: { email: `c${i}@example.com` },
      })),
    );
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('payload_too_large');
    // Bad envelopes are refused whole.
    const badEnvelope = await push('bad', [
      { resource: 'order', externalId: 'x', baseVersion: 'one', data: {} },
    ]);
    expect(badEnvelope.status).toBe(400);
  });

  it('follows each resource’s policy when both sides edited, and never loses a conflict', async () => {
    const first = await push('p-0', [
      {
        resource: 'customer',
        externalId: 'both',
        baseVersion: null,
        data: { email: 'both@example.com', firstName: 'Bo', lastName: 'Th' },
      },
      { resource: 'product', externalId: 'prod-both', baseVersion: null, data: product('BOTH') },
    ]);
    const [customer, prod] = first.body.results;
    // The platform side edits both.
    await app.request('PATCH', `/v1/customers/${customer.id}`, {
      token: store.key,
      body: { lastName: 'Platform' },
    });
    await app.request('PATCH', `/v1/products/${prod.id}`, {
      token: store.key,
      body: { title: 'Platform title' },
    });
    // Customers merge field by field (the default): different fields apply.
    const merged = await push('p-1', [
      {
        resource: 'customer',
        externalId: 'both',
        baseVersion: 1,
        data: { email: 'both@example.com', firstName: 'Bonnie', lastName: 'Th' },
      },
    ]);
    expect(merged.body.results[0]).toMatchObject({
      status: 'applied',
      conflict: { resolution: 'merged', fields: ['firstName'] },
    });
    const after = await app.request('GET', `/v1/customers/${customer.id}`, { token: store.key });
    expect(after.body).toMatchObject({ firstName: 'Bonnie', lastName: 'Platform' });
    // The same field on both sides cannot merge: kept open until resolved.
    const clash = await push('p-2', [
      {
        resource: 'customer',
        externalId: 'both',
        baseVersion: 1,
        data: { email: 'both@example.com', firstName: 'Bo', lastName: 'Self' },
      },
    ]);
    expect(clash.body.results[0]).toMatchObject({
      status: 'conflict',
      conflict: { fields: ['lastName'], serverVersion: after.body.version },
    });
    expect(clash.body.results[0].conflict.serverData.lastName).toBe('Platform');
    const open = await app.request('GET', '/v1/sync/conflicts', { token: store.key });
    expect(open.body.data.map((c: { id: string }) => c.id)).toEqual([
      clash.body.results[0].conflict.id,
    ]);
    // Products: the self-hosted side wins by default, and the settled conflict is listed.
    const wins = await push('p-3', [
      {
        resource: 'product',
        externalId: 'prod-both',
        baseVersion: 1,
        data: product('BOTH', 'Self title'),
      },
    ]);
    expect(wins.body.results[0]).toMatchObject({
      status: 'applied',
      conflict: { resolution: 'self_hosted_won' },
    });
    // platform_wins, set per store and resource.
    const set = await app.request('PATCH', '/v1/sync/policies', {
      token: store.key,
      body: { product: 'platform_wins' },
    });
    expect(set.body).toEqual({ product: 'platform_wins', customer: 'merge' });
    await app.request('PATCH', `/v1/products/${prod.id}`, {
      token: store.key,
      body: { title: 'Platform again' },
    });
    const loses = await push('p-4', [
      {
        resource: 'product',
        externalId: 'prod-both',
        baseVersion: wins.body.results[0].version,
        data: product('BOTH', 'Self again'),
      },
    ]);
    expect(loses.body.results[0]).toMatchObject({
      status: 'conflict',
      conflict: { resolution: 'platform_won' },
    });
    expect(
      (await app.request('GET', `/v1/products/${prod.id}`, { token: store.key })).body.title,
    ).toBe('Platform again');
    const all = await app.request('GET', '/v1/sync/conflicts?status=all', { token: store.key });
    expect(all.body.data.map((c: { resolution: string | null }) => c.resolution).sort()).toEqual(
      [null, 'merged', 'platform_won', 'self_hosted_won'].sort(),
    );
    // Resolving the open one with the self-hosted value writes it.
    const resolved = await app.request(
      'POST',
      `/v1/sync/conflicts/${clash.body.results[0].conflict.id}/resolve`,
      { token: store.key, body: { keep: 'self_hosted' } },
    );
    expect(resolved.body).toMatchObject({ status: 'resolved', resolution: 'self_hosted_kept' });
    const final = await app.request('GET', `/v1/customers/${customer.id}`, { token: store.key });
    expect(final.body.lastName).toBe('Self');
    expect(
      (await app.request('GET', '/v1/sync/conflicts', { token: store.key })).body.data,
    ).toEqual([]);
  });

  it('shows every change of concurrent writers exactly once, in commit order, to a reader paging meanwhile', async () => {
    const own = await app.createStore([...SCOPES]);
    const seen: Change[] = [];
    let cursor = '';
    let writing = true;
    const read = async () => {
      for (;;) {
        const page = await app.request(
          'GET',
          `/v1/sync/changes?limit=5&resources=product${cursor ? `&cursor=${cursor}` : ''}`,
          { token: own.key },
        );
        seen.push(...page.body.changes);
        cursor = page.body.nextCursor;
        if (!writing && !page.body.hasMore && page.body.changes.length === 0) return;
      }
    };
    const reader = read();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        app.request('POST', '/v1/products', {
          token: own.key,
          body: { title: `Concurrent ${i}`, variants: [{ sku: `CC-${i}`, price: 1 }] },
        }),
      ),
    );
    writing = false;
    await reader;
    expect(seen).toHaveLength(40);
    expect(new Set(seen.map((c) => c.id)).size).toBe(40);
    const sequences = seen.map((c) => JSON.parse(Buffer.from(c.cursor, 'base64url').toString())[0]);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
  });

  it('needs the sync scope and keeps stores apart', async () => {
    const reader = await app.createStore(['read_products']);
    expect((await app.request('GET', '/v1/sync/changes', { token: reader.key })).status).toBe(403);
    const other = await app.createStore(['sync']);
    const theirs = await app.request('GET', '/v1/sync/changes', { token: other.key });
    expect(theirs.body.changes).toEqual([]);
    const pushed = await push(
      'iso',
      [{ resource: 'product', externalId: 'local-p1', baseVersion: null, data: product('ISO') }],
      other.key,
    );
    expect(pushed.body.results[0].status).toBe('applied');
    // The same external id in another store is another resource.
    const mine = await allChanges('&resources=product');
    expect(mine.some((c) => c.id === pushed.body.results[0].id)).toBe(false);
  });
});
