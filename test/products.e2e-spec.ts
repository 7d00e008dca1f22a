import { SCOPES } from '../src/common/scopes';
import { startTestApp, TestApp } from './support/test-app';

describe('products (REST v1)', () => {
  let app: TestApp;
  let key: string;
  let storeId: string;
  beforeAll(async () => {
    app = await startTestApp();
    ({ key, storeId } = await app.createStore([...SCOPES]));
  });
  afterAll(() => app.close());

  let skuCounter = 0;
  const create = async (extra: Record<string, unknown> = {}) => {
    skuCounter += 1;
    const response = await app.request('POST', '/v1/products', {
      token: key,
      body: {
        title: `Shirt ${skuCounter}`,
        status: 'active',
        tags: ['a'],
        variants: [
          { sku: `S-${skuCounter}`, price: 1000, inventoryQuantity: 4 },
          { sku: `M-${skuCounter}`, price: 1200 },
        ],
        ...extra,
      },
    });
    expect(response.status).toBe(201);
    return response.body;
  };
  const eventsOf = async (type: string) =>
    (await app.request('GET', `/v1/events?type=${type}&limit=250`, { token: key })).body.data as {
      data: { object: { id: string; version: number } };
    }[];

  it('creates a product with its variants and answers it with an ETag', async () => {
    const response = await app.request('POST', '/v1/products', {
      token: key,
      body: {
        title: 'Linen Shirt',
        description: 'Breathes.',
        tags: ['summer'],
        variants: [{ sku: 'LIN-1', title: 'S', price: 4500, inventoryQuantity: 7 }],
      },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(response.body).toEqual({
      id: expect.stringMatching(/^prod_/),
      title: 'Linen Shirt',
      handle: 'linen-shirt',
      description: 'Breathes.',
      status: 'draft',
      tags: ['summer'],
      variants: [
        {
          id: expect.stringMatching(/^var_/),
          sku: 'LIN-1',
          title: 'S',
          price: 4500,
          inventoryQuantity: 7,
          version: 1,
        },
      ],
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const fetched = await app.request('GET', `/v1/products/${response.body.id}`, { token: key });
    expect(fetched.headers.get('etag')).toBe('"1"');
    expect(fetched.body).toEqual(response.body);
  });

  it('reports every invalid field of a product with dotted paths and creates nothing', async () => {
    const before = (await app.request('GET', '/v1/products?limit=250', { token: key })).body.data
      .length;
    const response = await app.request('POST', '/v1/products', {
      token: key,
      body: {
        title: '',
        status: 'gone',
        variants: [{ sku: 'X', price: -1 }, { price: 1.5 }],
        colour: 'red',
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'colour',
      'status',
      'title',
      'variants.0.price',
      'variants.1.price',
      'variants.1.sku',
    ]);
    const empty = await app.request('POST', '/v1/products', {
      token: key,
      body: { title: 'No variants', variants: [] },
    });
    expect(empty.status).toBe(400);
    expect(
      (await app.request('GET', '/v1/products?limit=250', { token: key })).body.data.length,
    ).toBe(before);
  });

  it('refuses a taken handle or SKU with 409 naming the field', async () => {
    const first = await create();
    const again = await app.request('POST', '/v1/products', {
      token: key,
      body: {
        title: 'Other',
        handle: first.handle,
        variants: [{ sku: first.variants[0].sku, price: 1 }],
      },
    });
    expect(again.status).toBe(409);
    expect(again.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'handle',
      'variants.0.sku',
    ]);
  });

  it('updates fields, bumps the version and records product.updated', async () => {
    const product = await create();
    const updated = await app.request('PATCH', `/v1/products/${product.id}`, {
      token: key,
      body: { title: 'Renamed', tags: ['x', 'y'] },
    });
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toBe('"2"');
    expect(updated.body).toMatchObject({
      title: 'Renamed',
      tags: ['x', 'y'],
      handle: product.handle,
      version: 2,
    });
    const events = await eventsOf('product.updated');
    expect(events.at(-1)!.data.object).toEqual(updated.body);
  });

  it('answers a stale If-Match with 412 and the current version, changing nothing', async () => {
    const product = await create();
    await app.request('PATCH', `/v1/products/${product.id}`, { token: key, body: { title: 'v2' } });
    const stale = await app.request('PATCH', `/v1/products/${product.id}`, {
      token: key,
      body: { title: 'lost update' },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ code: 'version_conflict', currentVersion: 2 });
    expect(
      (await app.request('GET', `/v1/products/${product.id}`, { token: key })).body.title,
    ).toBe('v2');
    const fresh = await app.request('PATCH', `/v1/products/${product.id}`, {
      token: key,
      body: { title: 'v3' },
      headers: { 'if-match': '"2"' },
    });
    expect(fresh.status).toBe(200);
    const garbage = await app.request('PATCH', `/v1/products/${product.id}`, {
      token: key,
      body: { title: 'x' },
      headers: { 'if-match': 'yesterday' },
    });
    expect(garbage.status).toBe(400);
  });

  it('lets exactly one of concurrent PATCHes with the same If-Match win', async () => {
    const product = await create();
    const attempts = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        app.request('PATCH', `/v1/products/${product.id}`, {
          token: key,
          body: { title: `writer ${i}` },
          headers: { 'if-match': '"1"' },
        }),
      ),
    );
    expect(attempts.map((a) => a.status).sort()).toEqual([200, 412, 412, 412, 412, 412]);
    expect(
      (await app.request('GET', `/v1/products/${product.id}`, { token: key })).body.version,
    ).toBe(2);
  });

  it('replaces the variant list: matched by id updated, new created, missing removed', async () => {
    const product = await create();
    const [small, medium] = product.variants;
    const response = await app.request('PATCH', `/v1/products/${product.id}`, {
      token: key,
      body: {
        variants: [
          { id: medium.id, price: 1300 },
          { sku: `L-${product.id}`, price: 1400, inventoryQuantity: 2 },
        ],
      },
    });
    expect(response.status).toBe(200);
    expect(response.body.variants).toEqual([
      { ...medium, price: 1300, version: 2 },
      {
        id: expect.stringMatching(/^var_/),
        sku: `L-${product.id}`,
        title: '',
        price: 1400,
        inventoryQuantity: 2,
        version: 1,
      },
    ]);
    expect(response.body.variants.find((v: { id: string }) => v.id === small.id)).toBeUndefined();
  });

  it('swaps SKUs between two variants in one PATCH', async () => {
    const product = await create();
    const [a, b] = product.variants;
    const response = await app.request('PATCH', `/v1/products/${product.id}`, {
      token: key,
      body: {
        variants: [
          { id: a.id, sku: b.sku },
          { id: b.id, sku: a.sku },
        ],
      },
    });
    expect(response.status).toBe(200);
    expect(response.body.variants.map((v: { sku: string }) => v.sku)).toEqual([b.sku, a.sku]);
  });

  it('refuses foreign variant ids, taken SKUs, incomplete new variants and stock overwrites', async () => {
    const product = await create();
    const other = await create();
    const foreign = await app.request('PATCH', `/v1/products/${product.id}`, {
      token: key,
      body: { variants: [{ id: other.variants[0].id, price: 1 }] },
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.errors[0].path).toBe('variants.0.id');
    const taken = await app.request('PATCH', `/v1/products/${product.id}`, {
      token: key,
      body: { variants: [{ sku: other.variants[0].sku, price: 1 }] },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.errors[0].path).toBe('variants.0.sku');
    const incomplete = await app.request('PATCH', `/v1/products/${product.id}`, {
      token: key,
      body: { variants: [{ title: 'no sku' }] },
    });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'variants.0.price',
      'variants.0.sku',
    ]);
    const stock = await app.request('PATCH', `/v1/products/${product.id}`, {
      token: key,
      body: { variants: [{ id: product.variants[0].id, inventoryQuantity: 99 }] },
    });
    expect(stock.status).toBe(400);
    expect((await app.request('GET', `/v1/products/${product.id}`, { token: key })).body).toEqual(
      product,
    );
  });

  it('deletes with If-Match, records product.deleted with the last representation', async () => {
    const product = await create();
    expect(
      (
        await app.request('DELETE', `/v1/products/${product.id}`, {
          token: key,
          headers: { 'if-match': '"9"' },
        })
      ).status,
    ).toBe(412);
    const deleted = await app.request('DELETE', `/v1/products/${product.id}`, {
      token: key,
      headers: { 'if-match': '"1"' },
    });
    expect(deleted.status).toBe(204);
    expect((await app.request('GET', `/v1/products/${product.id}`, { token: key })).status).toBe(
      404,
    );
    expect((await app.request('DELETE', `/v1/products/${product.id}`, { token: key })).status).toBe(
      404,
    );
    const events = await eventsOf('product.deleted');
    expect(events.at(-1)!.data.object).toEqual(product);
  });

  it("answers 404 for another store's product on every route and changes nothing", async () => {
    const product = await create();
    const other = await app.createStore([...SCOPES]);
    for (const [method, body] of [['GET'], ['PATCH', { title: 'hijack' }], ['DELETE']] as const) {
      const response = await app.request(method, `/v1/products/${product.id}`, {
        token: other.key,
        body,
      });
      expect(response.status).toBe(404);
    }
    expect((await app.request('GET', `/v1/products/${product.id}`, { token: key })).body).toEqual(
      product,
    );
  });

  it('needs write_products to write', async () => {
    const product = await create();
    const reader = (
      await app.request('POST', `/v1/platform/stores/${storeId}/api-keys`, {
        token: app.adminToken,
        body: { name: 'r', scopes: ['read_products'] },
      })
    ).body.key;
    expect(
      (
        await app.request('POST', '/v1/products', {
          token: reader,
          body: { title: 'x', variants: [{ sku: 'RO', price: 1 }] },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await app.request('PATCH', `/v1/products/${product.id}`, {
          token: reader,
          body: { title: 'x' },
        })
      ).status,
    ).toBe(403);
    expect(
      (await app.request('DELETE', `/v1/products/${product.id}`, { token: reader })).status,
    ).toBe(403);
  });

  it('filters by status and updatedSince', async () => {
    const draft = await create({ status: 'draft' });
    const drafts = await app.request('GET', '/v1/products?status=draft&limit=250', { token: key });
    expect(drafts.body.data.every((p: { status: string }) => p.status === 'draft')).toBe(true);
    expect(drafts.body.data.map((p: { id: string }) => p.id)).toContain(draft.id);
    const since = new Date(Date.now() + 60_000).toISOString();
    expect(
      (await app.request('GET', `/v1/products?updatedSince=${since}`, { token: key })).body.data,
    ).toEqual([]);
    expect(
      (await app.request('GET', '/v1/products?updatedSince=tuesday', { token: key })).status,
    ).toBe(400);
  });
});
