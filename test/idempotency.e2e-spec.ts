import { SCOPES } from '../src/common/scopes';
import { startTestApp, TestApp } from './support/test-app';

describe('Idempotency-Key', () => {
  let app: TestApp;
  let key: string;
  let storeId: string;
  let variantId: string;
  beforeAll(async () => {
    app = await startTestApp({ env: { DATABASE_POOL_SIZE: '20' } });
    ({ key, storeId } = await app.createStore([...SCOPES]));
    const product = await app.request('POST', '/v1/products', {
      token: key,
      body: { title: 'Cup', variants: [{ sku: 'CUP', price: 800, inventoryQuantity: 1000 }] },
    });
    variantId = product.body.variants[0].id;
  });
  afterAll(() => app.close());

  const order = (idempotencyKey: string, quantity = 1) =>
    app.request('POST', '/v1/orders', {
      token: key,
      headers: { 'idempotency-key': idempotencyKey },
      body: { email: 'i@example.com', lineItems: [{ variantId, quantity }] },
    });
  const orderCount = async () =>
    (await app.request('GET', '/v1/orders?limit=250', { token: key })).body.data.length;

  it('replays the first answer for the same key and body, creating one order', async () => {
    const before = await orderCount();
    const first = await order('retry-1');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const second = await order('retry-1');
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.text).toBe(first.text);
    expect(second.headers.get('etag')).toBe('"1"');
    expect(await orderCount()).toBe(before + 1);
  });

  it('matches bodies by content, not by key order', async () => {
    const first = await app.request('POST', '/v1/customers', {
      token: key,
      headers: { 'idempotency-key': 'order-of-keys' },
      rawBody: '{"email":"k@example.com","firstName":"K"}',
    });
    const second = await app.request('POST', '/v1/customers', {
      token: key,
      headers: { 'idempotency-key': 'order-of-keys' },
      rawBody: '{"firstName":"K","email":"k@example.com"}',
    });
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
  });

  it('answers 422 for the same key with a different body, changing nothing', async () => {
    await order('reused', 1);
    const before = await orderCount();
    const other = await order('reused', 2);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect(await orderCount()).toBe(before);
  });

  it('creates exactly one order from concurrent retries with one key; the others get 409 or the replay', async () => {
    const before = await orderCount();
    const attempts = await Promise.all(Array.from({ length: 10 }, () => order('storm')));
    const statuses = attempts.map((a) => a.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(
      attempts
        .filter((a) => a.status === 409)
        .every((a) => a.body.code === 'idempotency_key_in_use'),
    ).toBe(true);
    const created = new Set(attempts.filter((a) => a.status === 201).map((a) => a.body.id));
    expect(created.size).toBe(1);
    expect(await orderCount()).toBe(before + 1);
    const later = await order('storm');
    expect(later.headers.get('idempotent-replayed')).toBe('true');
    expect(created.has(later.body.id)).toBe(true);
  });

  it('replays a final 4xx, but runs again after a 409', async () => {
    const unknownVariant = {
      email: 'i@example.com',
      lineItems: [{ variantId: 'var_01jzzzzzzzzzzzzzzzzzzzzzzz', quantity: 1 }],
    };
    const first = await app.request('POST', '/v1/orders', {
      token: key,
      headers: { 'idempotency-key': 'final-404' },
      body: unknownVariant,
    });
    expect(first.status).toBe(404);
    const second = await app.request('POST', '/v1/orders', {
      token: key,
      headers: { 'idempotency-key': 'final-404' },
      body: unknownVariant,
    });
    expect(second.status).toBe(404);
    expect(second.headers.get('idempotent-replayed')).toBe('true');

    const product = await app.request('POST', '/v1/products', {
      token: key,
      body: { title: 'Rare', variants: [{ sku: 'RARE', price: 1, inventoryQuantity: 0 }] },
    });
    const rare = product.body.variants[0].id;
    const body = { email: 'i@example.com', lineItems: [{ variantId: rare, quantity: 1 }] };
    const short = await app.request('POST', '/v1/orders', {
      token: key,
      headers: { 'idempotency-key': 'after-409' },
      body,
    });
    expect(short.status).toBe(409);
    await app.request('POST', '/v1/inventory/adjustments', {
      token: key,
      body: { variantId: rare, delta: 1, reason: 'received' },
    });
    const retried = await app.request('POST', '/v1/orders', {
      token: key,
      headers: { 'idempotency-key': 'after-409' },
      body,
    });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  it('scopes keys to the credential', async () => {
    const first = await order('per-credential');
    const otherKey = (
      await app.request('POST', `/v1/platform/stores/${storeId}/api-keys`, {
        token: app.adminToken,
        body: { name: 'b', scopes: [...SCOPES] },
      })
    ).body.key;
    const second = await app.request('POST', '/v1/orders', {
      token: otherKey,
      headers: { 'idempotency-key': 'per-credential' },
      body: { email: 'i@example.com', lineItems: [{ variantId, quantity: 1 }] },
    });
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
  });

  it('forgets keys after 24 hours', async () => {
    const first = await order('yesterday');
    await app.running.dataSource.query(
      `UPDATE "${storeId}".idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'yesterday'`,
    );
    const second = await order('yesterday');
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
  });

  it('refuses malformed keys', async () => {
    for (const bad of ['', 'x'.repeat(256), 'has space']) {
      const response = await order(bad);
      expect(response.status).toBe(400);
    }
  });
});
