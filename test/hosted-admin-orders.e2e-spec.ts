import { performance } from 'node:perf_hooks';
import { itInChromium, launchChromium, portOf, seriousViolations } from './support/browser';
import { createHostedStore, HostedStoreFixture, PageClient, signedIn } from './support/hosted';
import { startTestApp, TestApp } from './support/test-app';
import type { EventEnvelope } from '../src/events/event-envelope';
import { ordersListView } from '../src/hosted-ui/admin/orders/orders.controller';

describe('hosted admin: orders', () => {
  let app: TestApp;
  let store: HostedStoreFixture;
  let other: HostedStoreFixture;
  let variantId: string;

  const placeOrder = async (email = 'buyer@example.com', fixture = store, variant = variantId) => {
    const order = await app.request('POST', '/v1/orders', {
      token: fixture.key,
      body: { email, lineItems: [{ variantId: variant, quantity: 1 }] },
    });
    expect(order.status).toBe(201);
    return order.body as { id: string; number: number };
  };

  beforeAll(async () => {
    app = await startTestApp();
    store = await createHostedStore(app);
    other = await createHostedStore(app);
    const product = await app.request('POST', '/v1/products', {
      token: store.key,
      body: {
        title: 'Mug',
        status: 'active',
        variants: [{ sku: 'MUG', price: 1250, inventoryQuantity: 1000 }],
      },
    });
    variantId = product.body.variants[0].id;
  });
  afterAll(() => app.close());

  it('lists the orders newest first with number, email, total and statuses', async () => {
    const first = await placeOrder('first@example.com');
    const second = await placeOrder('second@example.com');
    const client = await signedIn(app, store);
    const page = await client.get('/admin/orders');
    expect(page.status).toBe(200);
    expect(page.html.indexOf(`#${second.number}`)).toBeLessThan(
      page.html.indexOf(`#${first.number}`),
    );
    expect(page.html).toContain('€12.50');
    expect(page.html).toContain('pending');
    expect(page.html).toContain('second@example.com');
  });

  it('shows what was typed as text: a line titled with HTML is inert', async () => {
    const product = await app.request('POST', '/v1/products', {
      token: store.key,
      body: {
        title: '<img src=x onerror=alert(1)>',
        status: 'active',
        variants: [{ sku: 'XSS', price: 100, inventoryQuantity: 5 }],
      },
    });
    const order = await placeOrder('xss@example.com', store, product.body.variants[0].id);
    const page = await (await signedIn(app, store)).get(`/admin/orders/${order.id}`);
    expect(page.html).toContain('&lt;img src=x onerror=alert(1)>');
    expect(page.html).not.toContain('<img src=x');
  });

  it('pays, fulfils with tracking and cancels through the page, as REST does', async () => {
    const order = await placeOrder();
    const client = await signedIn(app, store, store.staff);
    const path = `/admin/orders/${order.id}`;
    expect((await client.submit(path, `${path}/pay`, {})).status).toBe(303);
    const fulfilled = await client.submit(path, `${path}/fulfill`, {
      trackingNumber: 'TRACK-1',
      carrier: 'DHL',
    });
    expect(fulfilled.status).toBe(303);
    const read = await app.request('GET', `/v1/orders/${order.id}`, { token: store.key });
    expect(read.body).toMatchObject({
      financialStatus: 'paid',
      fulfillmentStatus: 'fulfilled',
      trackingNumber: 'TRACK-1',
      carrier: 'DHL',
    });
    const events = await app.request('GET', '/v1/events?limit=100', { token: store.key });
    const types = (events.body.data as { type: string; data: { object: { id: string } } }[])
      .filter((event) => event.data.object.id === order.id)
      .map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining(['order.created', 'order.paid', 'order.fulfilled']),
    );

    const another = await placeOrder();
    const anotherPath = `/admin/orders/${another.id}`;
    const cancelled = await client.submit(anotherPath, `${anotherPath}/cancel`, {
      reason: 'Asked',
    });
    expect(cancelled.status).toBe(303);
    const again = await client.submit(anotherPath, `${anotherPath}/cancel`, {});
    expect(again.status).toBe(409);
    expect(again.html).toContain('role="alert"');
    const after = await app.request('GET', `/v1/orders/${another.id}`, { token: store.key });
    expect(after.body).toMatchObject({ status: 'cancelled', cancelReason: 'Asked' });
  });

  it('refuses a tracking number over 100 characters and changes nothing', async () => {
    const order = await placeOrder();
    const client = await signedIn(app, store);
    const path = `/admin/orders/${order.id}`;
    const refused = await client.submit(path, `${path}/fulfill`, {
      trackingNumber: 'x'.repeat(101),
    });
    expect(refused.status).toBe(400);
    const read = await app.request('GET', `/v1/orders/${order.id}`, { token: store.key });
    expect(read.body.fulfillmentStatus).not.toBe('fulfilled');
  });

  it('shows another store’s order as not found, and changes nothing of it', async () => {
    const product = await app.request('POST', '/v1/products', {
      token: other.key,
      body: {
        title: 'Other',
        status: 'active',
        variants: [{ sku: 'O', price: 100, inventoryQuantity: 5 }],
      },
    });
    const foreign = await placeOrder('x@example.com', other, product.body.variants[0].id);
    const client = await signedIn(app, store);
    expect((await client.get(`/admin/orders/${foreign.id}`)).status).toBe(404);
    const csrfPage = await client.get('/admin/orders');
    const token = csrfPage.html.match(/name="_csrf" value="([^"]+)"/)![1];
    expect((await client.post(`/admin/orders/${foreign.id}/pay`, { _csrf: token })).status).toBe(
      404,
    );
    const read = await app.request('GET', `/v1/orders/${foreign.id}`, { token: other.key });
    expect(read.body.financialStatus).toBe('pending');
    expect((await new PageClient(app, store.host).get('/admin/orders')).status).toBe(303);
  });

  it('pages through the orders, newest first across pages', async () => {
    const fixture = await createHostedStore(app);
    const product = await app.request('POST', '/v1/products', {
      token: fixture.key,
      body: {
        title: 'Cup',
        status: 'active',
        variants: [{ sku: 'CUP', price: 100, inventoryQuantity: 100 }],
      },
    });
    const placed = [];
    for (let index = 0; index < 51; index++)
      placed.push(await placeOrder(`p${index}@example.com`, fixture, product.body.variants[0].id));
    const client = await signedIn(app, fixture, fixture.staff);
    const rows = (html: string) => [...html.matchAll(/<tr id="order-([^"]+)"/g)].map((m) => m[1]);
    const first = await client.get('/admin/orders');
    expect(rows(first.html)).toEqual(
      placed
        .slice(1)
        .reverse()
        .map((order) => order.id),
    );
    const next = first.html.match(/href="(\/admin\/orders\?cursor=[^"]+)" rel="next"/);
    const second = await client.get(next![1]);
    expect(rows(second.html)).toEqual([placed[0].id]);
    expect(second.html).toContain('First page');
  });

  it('maps order events to live updates from the event’s data alone', async () => {
    const order = await placeOrder('live-view@example.com');
    const events = await app.request('GET', '/v1/events?limit=100', { token: store.key });
    const created = (events.body.data as EventEnvelope<{ id: string }>[]).find(
      (event) => event.type === 'order.created' && event.data.object.id === order.id,
    )!;
    const [prepend] = ordersListView(created);
    expect(prepend).toMatchObject({ swap: 'prepend', target: 'order-rows' });
    expect(prepend.html).toContain(`id="order-${order.id}"`);
    const paid = ordersListView({
      ...created,
      type: 'order.paid',
      data: { object: { ...created.data.object, financialStatus: 'paid' } },
    });
    expect(paid).toEqual([{ swap: 'replace', html: expect.stringContaining('>paid<') }]);
    expect(ordersListView({ ...created, type: 'product.created' })).toEqual([]);
  });

  itInChromium(
    'adds a new order to the open list without a reload',
    async () => {
      const browser = await launchChromium();
      try {
        const page = await (await browser.newContext()).newPage();
        const origin = `http://${store.handle}.localhost:${portOf(app.url)}`;
        await page.goto(`${origin}/admin/sign-in`);
        await page.getByLabel('Email').fill(store.owner.email);
        await page.getByLabel('Password').fill(store.owner.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(`${origin}/admin`);
        expect(await seriousViolations(page)).toEqual([]);
        await page.goto(`${origin}/admin/orders`);
        await page.locator('.live-status[data-state="live"]').waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        const latencies: number[] = [];
        for (let round = 0; round < 5; round++) {
          const sent = performance.now();
          const order = await placeOrder(`live-${round}@example.com`);
          const answered = performance.now();
          await page.locator(`#order-${order.id}`).waitFor();
          latencies.push(performance.now() - answered);
          if (round === 0) console.log(`first order: ${(answered - sent).toFixed(0)} ms to answer`);
        }
        console.log(
          `live order list: from the REST answer to the row in the DOM: ${latencies.map((ms) => ms.toFixed(0)).join(', ')} ms`,
        );
        const firstRow = page.locator('#order-rows tr').first();
        await expect(firstRow.textContent()).resolves.toContain('live-4@example.com');
        await page.locator('#order-rows tr a').first().click();
        await page.getByRole('button', { name: 'Mark as paid' }).click();
        await page.waitForURL(/\/admin\/orders\/ord_/);
        expect(await seriousViolations(page)).toEqual([]);
        await expect(page.getByText('paid').first().isVisible()).resolves.toBe(true);
      } finally {
        await browser.close();
      }
    },
    90_000,
  );
});
