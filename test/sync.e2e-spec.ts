import { SCOPES } from '../src/common/scopes';
import { storeSchemaName } from '../src/database/store-schema';
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
    // Different fields of one customer: each side's change is kept (no field in conflict).
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
      conflict: { resolution: 'merged', fields: [] },
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

  describe('concurrent edits', () => {
    /** A store of its own with `policies`, and what a test does in it. */
    async function storeWith(policies: Record<string, string> = {}) {
      const own = await app.createStore([...SCOPES]);
      if (Object.keys(policies).length > 0) {
        const set = await app.request('PATCH', '/v1/sync/policies', {
          token: own.key,
          body: policies,
        });
        expect(set.status).toBe(200);
      }
      let batches = 0;
      const pushOne = async (change: Record<string, unknown>) => {
        batches += 1;
        const answer = await push(`${own.storeId}-${batches}`, [change], own.key);
        expect(answer.status).toBe(200);
        return answer.body.results[0];
      };
      const rest = async (method: string, path: string, body?: unknown) => {
        const answer = await app.request(method, path, { token: own.key, body });
        expect(answer.status).toBeLessThan(300);
        return answer.body;
      };
      const conflicts = async (status = 'all') =>
        (await rest('GET', `/v1/sync/conflicts?status=${status}`)).data as Change['data'][];
      return { ...own, pushOne, rest, conflicts };
    }

    const kettle = (fields: Record<string, unknown> = {}) => ({
      title: 'Kettle',
      handle: 'kettle',
      description: 'Boils water.',
      status: 'active',
      tags: ['kitchen'],
      variants: [
        { sku: 'KETTLE-1', title: 'Steel', price: 3000, inventoryQuantity: 3 },
        { sku: 'KETTLE-2', title: 'Copper', price: 4000, inventoryQuantity: 1 },
      ],
      ...fields,
    });
    const productChange = (baseVersion: number | null, data: Record<string, unknown>) => ({
      resource: 'product',
      externalId: 'kettle',
      baseVersion,
      data,
    });

    it('keeps a field only the platform changed under every policy, beside the pushed change', async () => {
      for (const policy of ['self_hosted_wins', 'platform_wins', 'merge', 'manual']) {
        const store = await storeWith({ product: policy, customer: policy });
        const created = await store.pushOne(productChange(null, kettle()));
        await store.rest('PATCH', `/v1/products/${created.id}`, {
          description: 'Boils water fast (platform).',
        });
        const pushed = await store.pushOne(productChange(1, kettle({ title: 'Kettle (local)' })));
        expect(pushed).toMatchObject({
          status: 'applied',
          version: 3,
          conflict: { policy, resolution: 'merged', fields: [], serverVersion: 2 },
          data: { title: 'Kettle (local)', description: 'Boils water fast (platform).' },
        });
        expect(await store.rest('GET', `/v1/products/${created.id}`)).toMatchObject({
          title: 'Kettle (local)',
          description: 'Boils water fast (platform).',
          version: 3,
        });

        const customer = await store.pushOne({
          resource: 'customer',
          externalId: 'cleo',
          baseVersion: null,
          data: { email: 'cleo@example.com', firstName: 'Cleo', lastName: 'Park', phone: '+1 555' },
        });
        await store.rest('PATCH', `/v1/customers/${customer.id}`, { lastName: 'Park-platform' });
        const merged = await store.pushOne({
          resource: 'customer',
          externalId: 'cleo',
          baseVersion: 1,
          data: { email: 'cleo@example.com', firstName: 'Cleo-local', lastName: 'Park', phone: '' },
        });
        expect(merged).toMatchObject({ status: 'applied', conflict: { resolution: 'merged' } });
        expect(await store.rest('GET', `/v1/customers/${customer.id}`)).toMatchObject({
          firstName: 'Cleo-local',
          lastName: 'Park-platform',
          phone: '',
        });
      }
    });

    it('lets the policy decide only the fields both sides changed', async () => {
      // Both change the title; only the self-hosted side the description, only the platform tags.
      const scenario = async (policy: string) => {
        const store = await storeWith({ product: policy });
        const created = await store.pushOne(productChange(null, kettle()));
        await store.rest('PATCH', `/v1/products/${created.id}`, {
          title: 'Kettle (platform)',
          tags: ['kitchen', 'sale'],
        });
        const result = await store.pushOne(
          productChange(1, kettle({ title: 'Kettle (local)', description: 'Local text.' })),
        );
        const product = await store.rest('GET', `/v1/products/${created.id}`);
        return { store, result, product };
      };

      const wins = await scenario('self_hosted_wins');
      expect(wins.result).toMatchObject({
        status: 'applied',
        conflict: { resolution: 'self_hosted_won', fields: ['title'] },
      });
      expect(wins.product).toMatchObject({
        title: 'Kettle (local)',
        description: 'Local text.',
        tags: ['kitchen', 'sale'],
      });

      const loses = await scenario('platform_wins');
      expect(loses.result).toMatchObject({
        status: 'conflict',
        version: 3,
        conflict: { resolution: 'platform_won', fields: ['title'], serverVersion: 2 },
        data: { title: 'Kettle (platform)', description: 'Local text.', version: 3 },
      });
      expect(loses.product).toMatchObject({
        title: 'Kettle (platform)',
        description: 'Local text.',
        tags: ['kitchen', 'sale'],
      });
      // The self-hosted side takes over the platform's title: pushed from version 3, nothing moves.
      expect(
        await loses.store.pushOne(
          productChange(
            3,
            kettle({
              title: 'Kettle (platform)',
              description: 'Local text.',
              tags: ['kitchen', 'sale'],
            }),
          ),
        ),
      ).toMatchObject({ status: 'unchanged', version: 3 });

      for (const policy of ['merge', 'manual']) {
        const open = await scenario(policy);
        // The rest is applied; the title waits for a person with the platform's value for now.
        expect(open.result).toMatchObject({
          status: 'conflict',
          version: 3,
          conflict: { policy, fields: ['title'], serverData: { title: 'Kettle (platform)' } },
          data: { title: 'Kettle (platform)', description: 'Local text.' },
        });
        expect(open.result.conflict).not.toHaveProperty('resolution');
        expect(open.product).toMatchObject({
          title: 'Kettle (platform)',
          description: 'Local text.',
          tags: ['kitchen', 'sale'],
        });
        expect(await open.store.conflicts('open')).toMatchObject([
          { id: open.result.conflict.id, fields: ['title'], baseVersion: 1 },
        ]);
      }
    });

    it('merges tags both sides changed element by element under merge, and asks under manual', async () => {
      const tagged = async (policy: string) => {
        const store = await storeWith({ product: policy });
        const created = await store.pushOne(productChange(null, kettle({ tags: ['a', 'b'] })));
        await store.rest('PATCH', `/v1/products/${created.id}`, { tags: ['a', 'b', 'platform'] });
        const result = await store.pushOne(productChange(1, kettle({ tags: ['a', 'local'] })));
        return { result, product: await store.rest('GET', `/v1/products/${created.id}`) };
      };
      const merged = await tagged('merge');
      expect(merged.result).toMatchObject({
        status: 'applied',
        conflict: { resolution: 'merged', fields: ['tags'] },
      });
      expect(merged.product.tags).toEqual(['a', 'platform', 'local']);
      const asked = await tagged('manual');
      expect(asked.result).toMatchObject({ status: 'conflict', conflict: { fields: ['tags'] } });
      expect(asked.product.tags).toEqual(['a', 'b', 'platform']);
    });

    it('matches variants by SKU: an addition on one side and an edit on the other both stay', async () => {
      const store = await storeWith();
      const created = await store.pushOne(productChange(null, kettle()));
      const onPlatform = await store.rest('GET', `/v1/products/${created.id}`);
      const [steel, copper] = onPlatform.variants;
      // The platform edits KETTLE-1 and adds KETTLE-P; the self-hosted side adds KETTLE-3.
      await store.rest('PATCH', `/v1/products/${created.id}`, {
        variants: [
          { id: steel.id, price: 3200 },
          { id: copper.id },
          { sku: 'KETTLE-P', price: 5000, inventoryQuantity: 9 },
        ],
      });
      const variants = kettle().variants;
      const pushed = await store.pushOne(
        productChange(
          1,
          kettle({
            variants: [
              ...variants,
              { sku: 'KETTLE-3', title: 'Glass', price: 4500, inventoryQuantity: 7 },
            ],
          }),
        ),
      );
      expect(pushed).toMatchObject({ status: 'applied', conflict: { resolution: 'merged' } });
      const after = await store.rest('GET', `/v1/products/${created.id}`);
      const bySku = Object.fromEntries(
        after.variants.map((v: Record<string, unknown>) => [v.sku, v]),
      );
      expect(bySku).toMatchObject({
        'KETTLE-1': { id: steel.id, price: 3200, inventoryQuantity: 3 },
        'KETTLE-2': { id: copper.id, price: 4000 },
        'KETTLE-3': { title: 'Glass', price: 4500, inventoryQuantity: 7 },
        'KETTLE-P': { price: 5000, inventoryQuantity: 9 },
      });
      expect(after.variants).toHaveLength(4);

      // Removed here and untouched there: removed. Edited on both: the policy decides that field.
      await store.rest('PATCH', `/v1/products/${created.id}`, {
        variants: after.variants.map((v: Record<string, unknown>) =>
          v.sku === 'KETTLE-3' ? { id: v.id, price: 4600 } : { id: v.id },
        ),
      });
      const next = await store.pushOne(
        productChange(
          pushed.version,
          kettle({
            variants: [
              { sku: 'KETTLE-1', title: 'Steel', price: 3200 },
              { sku: 'KETTLE-3', title: 'Glass', price: 4400 },
              { sku: 'KETTLE-P', price: 5000 },
            ],
          }),
        ),
      );
      expect(next).toMatchObject({
        status: 'applied',
        conflict: { resolution: 'self_hosted_won', fields: ['variants[KETTLE-3].price'] },
      });
      const last = await store.rest('GET', `/v1/products/${created.id}`);
      expect(
        last.variants.map((v: Record<string, unknown>) => `${v.sku}:${v.price}`).sort(),
      ).toEqual(['KETTLE-1:3200', 'KETTLE-3:4400', 'KETTLE-P:5000']);
    });

    it('asks a person about a variant removed on one side and edited on the other', async () => {
      const store = await storeWith({ product: 'manual' });
      const created = await store.pushOne(productChange(null, kettle()));
      const [steel, copper] = (await store.rest('GET', `/v1/products/${created.id}`)).variants;
      await store.rest('PATCH', `/v1/products/${created.id}`, {
        variants: [{ id: steel.id }, { id: copper.id, price: 4100 }],
      });
      const result = await store.pushOne(
        productChange(1, kettle({ variants: [kettle().variants[0]] })),
      );
      expect(result).toMatchObject({
        status: 'conflict',
        conflict: { fields: ['variants[KETTLE-2]'] },
      });
      expect((await store.rest('GET', `/v1/products/${created.id}`)).variants).toHaveLength(2);
      const resolved = await store.rest(
        'POST',
        `/v1/sync/conflicts/${result.conflict.id}/resolve`,
        {
          keep: 'self_hosted',
        },
      );
      expect(resolved.resolution).toBe('self_hosted_kept');
      expect((await store.rest('GET', `/v1/products/${created.id}`)).variants).toMatchObject([
        { sku: 'KETTLE-1' },
      ]);
    });

    it('clears what the self-hosted side cleared, pushed as "" or null', async () => {
      const store = await storeWith();
      const created = await store.pushOne(productChange(null, kettle()));
      const cleared = await store.pushOne(
        productChange(
          1,
          kettle({ description: null, variants: [{ ...kettle().variants[0], title: '' }] }),
        ),
      );
      expect(cleared.status).toBe('applied');
      expect(await store.rest('GET', `/v1/products/${created.id}`)).toMatchObject({
        description: '',
        variants: [{ sku: 'KETTLE-1', title: '' }],
      });
      const customer = {
        email: 'eve@example.com',
        firstName: 'Eve',
        lastName: 'Stone',
        phone: '+44 20 7946 0000',
      };
      const eve = await store.pushOne({
        resource: 'customer',
        externalId: 'eve',
        baseVersion: null,
        data: customer,
      });
      const emptied = await store.pushOne({
        resource: 'customer',
        externalId: 'eve',
        baseVersion: 1,
        data: { ...customer, firstName: null, lastName: '', phone: '' },
      });
      expect(emptied).toMatchObject({ status: 'applied', version: 2 });
      expect(await store.rest('GET', `/v1/customers/${eve.id}`)).toMatchObject({
        firstName: '',
        lastName: '',
        phone: '',
      });
      // Created without them too.
      const bare = await store.pushOne({
        resource: 'customer',
        externalId: 'bare',
        baseVersion: null,
        data: { email: 'bare@example.com', firstName: null, lastName: '', phone: '' },
      });
      expect(bare.status).toBe('applied');
      // What sync accepts as "cleared", REST keeps refusing, and sync refuses elsewhere.
      for (const body of [{ phone: '' }, { lastName: null }, { phone: null }]) {
        const refused = await app.request('PATCH', `/v1/customers/${eve.id}`, {
          token: store.key,
          body,
        });
        expect(refused.status).toBe(400);
      }
      const invalid = await store.pushOne(
        productChange(2, kettle({ title: null, handle: null, tags: null })),
      );
      expect(invalid.status).toBe('invalid');
      expect(invalid.errors.map((e: { path: string }) => e.path).sort()).toEqual([
        'data.handle',
        'data.tags',
        'data.title',
      ]);
    });

    it('guesses nothing when the base is unknown: every difference waits for a person', async () => {
      const store = await storeWith();
      const created = await store.pushOne(productChange(null, kettle()));
      await store.rest('PATCH', `/v1/products/${created.id}`, { description: 'Platform text.' });
      // No base version for a resource the platform holds.
      const unknown = await store.pushOne(productChange(null, kettle({ title: 'Kettle (local)' })));
      expect(unknown).toMatchObject({
        status: 'conflict',
        version: 2,
        conflict: { policy: 'self_hosted_wins', fields: ['title', 'description'] },
        data: { title: 'Kettle', description: 'Platform text.' },
      });
      expect(unknown.conflict).not.toHaveProperty('resolution');
      // A base version whose event retention has deleted: the same.
      const schema = storeSchemaName(store.storeId);
      await app.running.dataSource.query(
        `DELETE FROM ${schema}.events WHERE resource_id = $1 AND (payload -> 'data' -> 'object' ->> 'version')::int = 1`,
        [created.id],
      );
      const purged = await store.pushOne(productChange(1, kettle({ title: 'Kettle (local)' })));
      expect(purged).toMatchObject({
        status: 'conflict',
        conflict: { fields: ['title', 'description'] },
      });
      expect(await store.rest('GET', `/v1/products/${created.id}`)).toMatchObject({
        title: 'Kettle',
        description: 'Platform text.',
        version: 2,
      });
      // Still one open conflict for the resource: each push supersedes the one before.
      const all = await store.conflicts('all');
      expect(all.map((c) => [c.id, c.status, c.resolution])).toEqual([
        [unknown.conflict.id, 'resolved', 'superseded'],
        [purged.conflict.id, 'open', null],
      ]);
    });

    it('reports an open disagreement once, and settles it again as a person did', async () => {
      const store = await storeWith({ product: 'manual' });
      const created = await store.pushOne(productChange(null, kettle()));
      await store.rest('PATCH', `/v1/products/${created.id}`, { title: 'Kettle (platform)' });
      const local = kettle({ title: 'Kettle (local)' });
      const first = await store.pushOne(productChange(1, local));
      expect(first).toMatchObject({ status: 'conflict', conflict: { fields: ['title'] } });
      // The self-hosted side keeps its base while the conflict is open: the same push again.
      const again = await store.pushOne(productChange(1, { ...local, status: 'draft' }));
      expect(again).toMatchObject({ status: 'conflict', conflict: { id: first.conflict.id } });
      expect((await store.rest('GET', `/v1/products/${created.id}`)).status).toBe('draft');
      expect((await store.conflicts('open')).map((c) => c.id)).toEqual([first.conflict.id]);

      await store.rest('POST', `/v1/sync/conflicts/${first.conflict.id}/resolve`, {
        keep: 'platform',
      });
      // The person's decision settles the same disagreement again, so the self-hosted side
      // learns the platform's title instead of being asked forever.
      const settled = await store.pushOne(productChange(1, { ...local, status: 'draft' }));
      expect(settled).toMatchObject({
        status: 'conflict',
        conflict: { resolution: 'platform_won', fields: ['title'] },
        data: { title: 'Kettle (platform)' },
      });
      expect(await store.conflicts('open')).toEqual([]);
      // Another value is another disagreement: asked again.
      const other = await store.pushOne(productChange(1, kettle({ title: 'Kettle (other)' })));
      expect(other.conflict).toMatchObject({ fields: ['title'] });
      expect(other.conflict).not.toHaveProperty('resolution');
    });

    it('deletes over a platform edit only under self_hosted_wins, and records it', async () => {
      const wins = await storeWith();
      const doomed = await wins.pushOne(productChange(null, kettle()));
      await wins.rest('PATCH', `/v1/products/${doomed.id}`, { title: 'Edited there' });
      const deleted = await wins.pushOne({ ...productChange(1, {}), deleted: true });
      expect(deleted).toMatchObject({
        status: 'applied',
        version: null,
        conflict: { resolution: 'self_hosted_won', fields: ['deleted'] },
      });
      const gone = await app.request('GET', `/v1/products/${doomed.id}`, { token: wins.key });
      expect(gone.status).toBe(404);

      const manual = await storeWith({ product: 'platform_wins' });
      const kept = await manual.pushOne(productChange(null, kettle()));
      await manual.rest('PATCH', `/v1/products/${kept.id}`, { title: 'Edited there' });
      const asked = await manual.pushOne({ ...productChange(1, {}), deleted: true });
      expect(asked).toMatchObject({ status: 'conflict', conflict: { fields: ['deleted'] } });
      expect(asked.conflict).not.toHaveProperty('resolution');
      expect((await manual.rest('GET', `/v1/products/${kept.id}`)).title).toBe('Edited there');
    });
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
