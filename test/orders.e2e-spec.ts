import { SCOPES } from '../src/common/scopes';
import { startTestApp, TestApp } from './support/test-app';

describe('orders and inventory (REST v1)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { DATABASE_POOL_SIZE: '20' } });
  });
  afterAll(() => app.close());

  async function storeWithProduct(stock: number[], prices = stock.map((_, i) => 1000 + i)) {
    const store = await app.createStore([...SCOPES]);
    const product = await app.request('POST', '/v1/products', {
      token: store.key,
      body: {
        title: 'Mug',
        status: 'active',
        variants: stock.map((inventoryQuantity, i) => ({
          sku: `MUG-${i}`,
          title: `Size ${i}`,
          price: prices[i],
          inventoryQuantity,
        })),
      },
    });
    expect(product.status).toBe(201);
    return {
      ...store,
      product: product.body,
      variants: product.body.variants as { id: string; sku: string }[],
    };
  }
  const stockOf = async (key: string, productId: string) =>
    (await app.request('GET', `/v1/products/${productId}`, { token: key })).body.variants.map(
      (v: { inventoryQuantity: number }) => v.inventoryQuantity,
    );

  it('creates an order priced from the variants, numbered 1, taking the stock', async () => {
    const { key, product, variants } = await storeWithProduct([5, 3], [1250, 990]);
    const response = await app.request('POST', '/v1/orders', {
      token: key,
      body: {
        email: 'buyer@example.com',
        lineItems: [
          { variantId: variants[0].id, quantity: 2 },
          { variantId: variants[1].id, quantity: 1 },
        ],
      },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(response.body).toEqual({
      id: expect.stringMatching(/^ord_/),
      number: 1,
      email: 'buyer@example.com',
      customerId: null,
      lineItems: [
        {
          id: expect.stringMatching(/^li_/),
          variantId: variants[0].id,
          sku: 'MUG-0',
          title: 'Mug – Size 0',
          quantity: 2,
          unitPrice: 1250,
          total: 2500,
        },
        {
          id: expect.stringMatching(/^li_/),
          variantId: variants[1].id,
          sku: 'MUG-1',
          title: 'Mug – Size 1',
          quantity: 1,
          unitPrice: 990,
          total: 990,
        },
      ],
      subtotal: 3490,
      total: 3490,
      currency: 'EUR',
      status: 'open',
      financialStatus: 'pending',
      fulfillmentStatus: 'unfulfilled',
      cancelReason: null,
      trackingNumber: null,
      carrier: null,
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(await stockOf(key, product.id)).toEqual([3, 2]);
    const events = (await app.request('GET', '/v1/events?limit=250', { token: key })).body.data.map(
      (e: { type: string }) => e.type,
    );
    expect(events).toEqual([
      'product.created',
      'inventory.updated',
      'inventory.updated',
      'order.created',
    ]);
    expect(
      (await app.request('GET', `/v1/orders/${response.body.id}`, { token: key })).body,
    ).toEqual(response.body);
  });

  it('turns 50 concurrent orders for the last 10 units into exactly 10 orders and stock 0', async () => {
    const { key, product, variants } = await storeWithProduct([10]);
    const attempts = await Promise.all(
      Array.from({ length: 50 }, () =>
        app.request('POST', '/v1/orders', {
          token: key,
          body: {
            email: 'rush@example.com',
            lineItems: [{ variantId: variants[0].id, quantity: 1 }],
          },
        }),
      ),
    );
    const created = attempts.filter((a) => a.status === 201);
    expect(created).toHaveLength(10);
    expect(
      attempts
        .filter((a) => a.status === 409)
        .every((a) => a.body.code === 'insufficient_inventory'),
    ).toBe(true);
    expect(attempts.filter((a) => a.status === 409)).toHaveLength(40);
    expect(await stockOf(key, product.id)).toEqual([0]);
    expect(created.map((a) => a.body.number).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
  });

  it('numbers orders 1, 2, 3… without gaps or repeats while refusals interleave', async () => {
    const { key, variants } = await storeWithProduct([1000, 0]);
    const attempts = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        app.request('POST', '/v1/orders', {
          token: key,
          body: {
            email: 'n@example.com',
            lineItems: [{ variantId: variants[i % 4 === 0 ? 1 : 0].id, quantity: 1 }],
          },
        }),
      ),
    );
    const numbers = attempts
      .filter((a) => a.status === 201)
      .map((a) => a.body.number)
      .sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const next = await app.request('POST', '/v1/orders', {
      token: key,
      body: { email: 'n@example.com', lineItems: [{ variantId: variants[0].id, quantity: 1 }] },
    });
    expect(next.body.number).toBe(31);
  });

  it('takes all lines or none: one short line refuses the whole order and changes nothing', async () => {
    const { key, product, variants } = await storeWithProduct([5, 1]);
    const response = await app.request('POST', '/v1/orders', {
      token: key,
      body: {
        email: 'x@example.com',
        lineItems: [
          { variantId: variants[0].id, quantity: 2 },
          { variantId: variants[1].id, quantity: 2 },
        ],
      },
    });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('insufficient_inventory');
    expect(response.body.errors).toEqual([
      { path: 'lineItems.1.quantity', code: 'insufficient_inventory', message: 'Only 1 in stock.' },
    ]);
    expect(await stockOf(key, product.id)).toEqual([5, 1]);
    expect((await app.request('GET', '/v1/orders', { token: key })).body.data).toEqual([]);
    const same = await app.request('POST', '/v1/orders', {
      token: key,
      body: {
        email: 'x@example.com',
        lineItems: [
          { variantId: variants[0].id, quantity: 3 },
          { variantId: variants[0].id, quantity: 3 },
        ],
      },
    });
    expect(same.status).toBe(409);
  });

  it('answers 404 naming the field for unknown or foreign variants and customers', async () => {
    const mine = await storeWithProduct([5]);
    const theirs = await storeWithProduct([5]);
    const foreign = await app.request('POST', '/v1/orders', {
      token: mine.key,
      body: {
        email: 'x@example.com',
        lineItems: [
          { variantId: mine.variants[0].id, quantity: 1 },
          { variantId: theirs.variants[0].id, quantity: 1 },
        ],
      },
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.errors).toEqual([
      { path: 'lineItems.1.variantId', code: 'not_found', message: expect.any(String) },
    ]);
    const theirCustomer = await app.request('POST', '/v1/customers', {
      token: theirs.key,
      body: { email: 'c@example.com' },
    });
    const badCustomer = await app.request('POST', '/v1/orders', {
      token: mine.key,
      body: {
        customerId: theirCustomer.body.id,
        email: 'x@example.com',
        lineItems: [{ variantId: mine.variants[0].id, quantity: 1 }],
      },
    });
    expect(badCustomer.status).toBe(404);
    expect(badCustomer.body.errors[0].path).toBe('customerId');
    expect(await stockOf(mine.key, mine.product.id)).toEqual([5]);
  });

  it('reports every invalid field of an order', async () => {
    const { key } = await storeWithProduct([5]);
    const response = await app.request('POST', '/v1/orders', {
      token: key,
      body: {
        email: 'nope',
        lineItems: [{ variantId: 'x', quantity: 0 }, { quantity: 1.5 }],
        note: 'hi',
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'email',
      'lineItems.0.quantity',
      'lineItems.0.variantId',
      'lineItems.1.quantity',
      'lineItems.1.variantId',
      'note',
    ]);
    expect(
      (
        await app.request('POST', '/v1/orders', {
          token: key,
          body: { email: 'a@example.com', lineItems: [] },
        })
      ).status,
    ).toBe(400);
  });

  it('pays, fulfils and closes an order, refusing illegal transitions with 409', async () => {
    const { key, variants } = await storeWithProduct([5]);
    const order = (
      await app.request('POST', '/v1/orders', {
        token: key,
        body: { email: 'p@example.com', lineItems: [{ variantId: variants[0].id, quantity: 1 }] },
      })
    ).body;
    const paid = await app.request('POST', `/v1/orders/${order.id}/pay`, { token: key });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ financialStatus: 'paid', status: 'open', version: 2 });
    const again = await app.request('POST', `/v1/orders/${order.id}/pay`, { token: key });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid_state_transition');
    const stale = await app.request('POST', `/v1/orders/${order.id}/fulfill`, {
      token: key,
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    const fulfilled = await app.request('POST', `/v1/orders/${order.id}/fulfill`, {
      token: key,
      headers: { 'if-match': '"2"' },
    });
    expect(fulfilled.body).toMatchObject({
      status: 'closed',
      financialStatus: 'paid',
      fulfillmentStatus: 'fulfilled',
      version: 3,
    });
    expect(
      (await app.request('POST', `/v1/orders/${order.id}/cancel`, { token: key })).status,
    ).toBe(409);
    const types = (await app.request('GET', '/v1/events?limit=250', { token: key })).body.data
      .map((e: { type: string }) => e.type)
      .filter((t: string) => t.startsWith('order.'));
    expect(types).toEqual([
      'order.created',
      'order.paid',
      'order.updated',
      'order.fulfilled',
      'order.updated',
    ]);
  });

  it('returns the stock when an order is cancelled, and refunds a paid one', async () => {
    const { key, product, variants } = await storeWithProduct([5]);
    const order = (
      await app.request('POST', '/v1/orders', {
        token: key,
        body: { email: 'c@example.com', lineItems: [{ variantId: variants[0].id, quantity: 4 }] },
      })
    ).body;
    expect(await stockOf(key, product.id)).toEqual([1]);
    await app.request('POST', `/v1/orders/${order.id}/pay`, { token: key });
    const cancelled = await app.request('POST', `/v1/orders/${order.id}/cancel`, { token: key });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', financialStatus: 'refunded' });
    expect(await stockOf(key, product.id)).toEqual([5]);
    const twice = await app.request('POST', `/v1/orders/${order.id}/cancel`, { token: key });
    expect(twice.status).toBe(409);
    expect(await stockOf(key, product.id)).toEqual([5]);
  });

  async function openOrder(key: string, variantId: string) {
    const order = await app.request('POST', '/v1/orders', {
      token: key,
      body: { email: 'a@example.com', lineItems: [{ variantId, quantity: 1 }] },
    });
    expect(order.status).toBe(201);
    return order.body as { id: string };
  }

  async function eventsOf(key: string, type: string, orderId: string) {
    const events = await app.request('GET', `/v1/events?type=${type}&limit=250`, { token: key });
    return events.body.data.filter(
      (event: { data: { object: { id: string } } }) => event.data.object.id === orderId,
    );
  }

  it('keeps the cancel reason on the order and in order.cancelled', async () => {
    const { key, variants } = await storeWithProduct([5]);
    const order = await openOrder(key, variants[0].id);
    const cancelled = await app.request('POST', `/v1/orders/${order.id}/cancel`, {
      token: key,
      body: { reason: 'Customer changed their mind' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      cancelReason: 'Customer changed their mind',
      trackingNumber: null,
      carrier: null,
    });
    expect((await app.request('GET', `/v1/orders/${order.id}`, { token: key })).body).toEqual(
      cancelled.body,
    );
    const [event] = await eventsOf(key, 'order.cancelled', order.id);
    expect(event.data.object).toEqual(cancelled.body);
    // Cancelled without a reason: null, not the reason of another order.
    const plain = await openOrder(key, variants[0].id);
    const bare = await app.request('POST', `/v1/orders/${plain.id}/cancel`, { token: key });
    expect(bare.body).toMatchObject({ status: 'cancelled', cancelReason: null });
  });

  it('keeps the tracking number and carrier on the order and in order.fulfilled', async () => {
    const { key, variants } = await storeWithProduct([5]);
    const order = await openOrder(key, variants[0].id);
    const fulfilled = await app.request('POST', `/v1/orders/${order.id}/fulfill`, {
      token: key,
      body: { trackingNumber: '1Z999AA10123456784', carrier: 'UPS' },
    });
    expect(fulfilled.status).toBe(200);
    expect(fulfilled.body).toMatchObject({
      fulfillmentStatus: 'fulfilled',
      trackingNumber: '1Z999AA10123456784',
      carrier: 'UPS',
      cancelReason: null,
    });
    const [event] = await eventsOf(key, 'order.fulfilled', order.id);
    expect(event.data.object).toEqual(fulfilled.body);
    // Paying afterwards keeps them: the order closes with its tracking.
    const paid = await app.request('POST', `/v1/orders/${order.id}/pay`, { token: key, body: {} });
    expect(paid.body).toMatchObject({
      status: 'closed',
      trackingNumber: '1Z999AA10123456784',
      carrier: 'UPS',
    });
    // A carrier alone is kept alone.
    const local = await openOrder(key, variants[0].id);
    const courier = await app.request('POST', `/v1/orders/${local.id}/fulfill`, {
      token: key,
      body: { carrier: 'Local courier' },
    });
    expect(courier.body).toMatchObject({ trackingNumber: null, carrier: 'Local courier' });
  });

  it.each([
    ['pay', { amount: 500 }, 'amount', 'unknown_field'],
    ['cancel', { reason: 'x'.repeat(256) }, 'reason', 'is_length'],
    ['cancel', { reason: '' }, 'reason', 'is_length'],
    ['cancel', { reason: null }, 'reason', 'is_string'],
    ['cancel', { reason: 'fraud', refund: true }, 'refund', 'unknown_field'],
    ['fulfill', { trackingNumber: '1'.repeat(101) }, 'trackingNumber', 'is_length'],
    ['fulfill', { trackingNumber: '1Z999\n2' }, 'trackingNumber', 'matches'],
    ['fulfill', { carrier: 'c'.repeat(101) }, 'carrier', 'is_length'],
    ['fulfill', { carrier: 42 }, 'carrier', 'is_string'],
    ['fulfill', { trackingUrl: 'https://track.example.com/1' }, 'trackingUrl', 'unknown_field'],
  ])('%s refuses %j at its path and changes nothing', async (action, body, path, code) => {
    const { key, variants } = await storeWithProduct([5]);
    const order = await openOrder(key, variants[0].id);
    const refused = await app.request('POST', `/v1/orders/${order.id}/${action}`, {
      token: key,
      body,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('validation_failed');
    expect(refused.body.errors).toEqual([{ path, code, message: expect.any(String) }]);
    expect((await app.request('GET', `/v1/orders/${order.id}`, { token: key })).body).toMatchObject(
      { status: 'open', version: 1, cancelReason: null, trackingNumber: null },
    );
  });

  it('takes {}, an empty JSON body and no body as the same request, also for Idempotency-Key', async () => {
    const { key, variants } = await storeWithProduct([5]);
    for (const action of ['pay', 'fulfill']) {
      const order = await openOrder(key, variants[0].id);
      const first = await app.request('POST', `/v1/orders/${order.id}/${action}`, {
        token: key,
        headers: { 'idempotency-key': `${action}-${order.id}` },
      });
      expect(first.status).toBe(200);
      // The retry of a client that sends `{}` (axios) or a JSON header with nothing (fetch).
      for (const rawBody of ['{}', '']) {
        const retry = await app.request('POST', `/v1/orders/${order.id}/${action}`, {
          token: key,
          rawBody,
          headers: {
            'content-type': 'application/json',
            'idempotency-key': `${action}-${order.id}`,
          },
        });
        expect({ status: retry.status, body: retry.body }).toEqual({
          status: 200,
          body: first.body,
        });
        expect(retry.headers.get('idempotent-replayed')).toBe('true');
      }
    }
  });

  it("answers 404 for another store's order on every route", async () => {
    const mine = await storeWithProduct([5]);
    const other = await app.createStore([...SCOPES]);
    const order = (
      await app.request('POST', '/v1/orders', {
        token: mine.key,
        body: {
          email: 'x@example.com',
          lineItems: [{ variantId: mine.variants[0].id, quantity: 1 }],
        },
      })
    ).body;
    for (const path of ['', '/pay', '/fulfill', '/cancel']) {
      const response = await app.request(path ? 'POST' : 'GET', `/v1/orders/${order.id}${path}`, {
        token: other.key,
      });
      expect(response.status).toBe(404);
    }
    // A body the action accepts does not change the answer: tenancy looks the same either way.
    for (const [path, body] of [
      ['/pay', {}],
      ['/fulfill', { trackingNumber: '1Z999', carrier: 'UPS' }],
      ['/cancel', { reason: 'customer' }],
    ] as const) {
      const response = await app.request('POST', `/v1/orders/${order.id}${path}`, {
        token: other.key,
        body,
      });
      expect({ path, status: response.status, code: response.body.code }).toEqual({
        path,
        status: 404,
        code: 'not_found',
      });
    }
    expect((await app.request('GET', `/v1/orders/${order.id}`, { token: mine.key })).body).toEqual(
      order,
    );
  });

  it('lists orders with filters and pages', async () => {
    const { key, variants } = await storeWithProduct([50]);
    for (let i = 0; i < 3; i++)
      await app.request('POST', '/v1/orders', {
        token: key,
        body: { email: 'l@example.com', lineItems: [{ variantId: variants[0].id, quantity: 1 }] },
      });
    const first = (await app.request('GET', '/v1/orders?limit=2', { token: key })).body;
    expect(first.data.map((o: { number: number }) => o.number)).toEqual([1, 2]);
    const second = (
      await app.request('GET', `/v1/orders?limit=2&cursor=${first.nextCursor}`, { token: key })
    ).body;
    expect(second.data.map((o: { number: number }) => o.number)).toEqual([3]);
    await app.request('POST', `/v1/orders/${first.data[0].id}/cancel`, { token: key });
    expect(
      (await app.request('GET', '/v1/orders?status=cancelled', { token: key })).body.data.map(
        (o: { number: number }) => o.number,
      ),
    ).toEqual([1]);
  });

  describe('inventory adjustments', () => {
    it('adjusts stock with a reason and answers the new quantity', async () => {
      const { key, product, variants } = await storeWithProduct([5]);
      const response = await app.request('POST', '/v1/inventory/adjustments', {
        token: key,
        body: { variantId: variants[0].id, delta: 7, reason: 'received' },
      });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        variantId: variants[0].id,
        productId: product.id,
        sku: 'MUG-0',
        inventoryQuantity: 12,
        adjustmentId: expect.stringMatching(/^adj_/),
      });
      const events = (await app.request('GET', '/v1/events?type=inventory.updated', { token: key }))
        .body.data;
      expect(events.at(-1).data.object).toEqual({
        variantId: variants[0].id,
        productId: product.id,
        sku: 'MUG-0',
        inventoryQuantity: 12,
      });
    });

    it('never goes below zero and reports bad input', async () => {
      const { key, product, variants } = await storeWithProduct([5]);
      const below = await app.request('POST', '/v1/inventory/adjustments', {
        token: key,
        body: { variantId: variants[0].id, delta: -6, reason: 'damaged' },
      });
      expect(below.status).toBe(409);
      expect(below.body.code).toBe('insufficient_inventory');
      const bad = await app.request('POST', '/v1/inventory/adjustments', {
        token: key,
        body: { variantId: variants[0].id, delta: 0 },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
        'delta',
        'reason',
      ]);
      const other = await storeWithProduct([1]);
      const foreign = await app.request('POST', '/v1/inventory/adjustments', {
        token: key,
        body: { variantId: other.variants[0].id, delta: 1, reason: 'x' },
      });
      expect(foreign.status).toBe(404);
      expect(foreign.body.errors[0].path).toBe('variantId');
      expect(await stockOf(key, product.id)).toEqual([5]);
    });

    it('needs write_inventory', async () => {
      const { storeId, variants } = await storeWithProduct([5]);
      const reader = (
        await app.request('POST', `/v1/platform/stores/${storeId}/api-keys`, {
          token: app.adminToken,
          body: { name: 'r', scopes: ['read_inventory', 'write_orders'] },
        })
      ).body.key;
      expect(
        (
          await app.request('POST', '/v1/inventory/adjustments', {
            token: reader,
            body: { variantId: variants[0].id, delta: 1, reason: 'x' },
          })
        ).status,
      ).toBe(403);
    });
  });
});
