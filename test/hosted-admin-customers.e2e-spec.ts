import { itInChromium, launchChromium, portOf, seriousViolations } from './support/browser';
import { createHostedStore, HostedStoreFixture, PageClient, signedIn } from './support/hosted';
import { startTestApp, TestApp } from './support/test-app';

describe('hosted admin: customers and dashboard', () => {
  let app: TestApp;
  let store: HostedStoreFixture;
  let variantId: string;

  const createCustomer = async (body: Record<string, string>, fixture = store) => {
    const response = await app.request('POST', '/v1/customers', { token: fixture.key, body });
    expect(response.status).toBe(201);
    return response.body as { id: string };
  };

  const placeOrder = async (quantity: number) => {
    const order = await app.request('POST', '/v1/orders', {
      token: store.key,
      body: { email: 'buyer@example.com', lineItems: [{ variantId, quantity }] },
    });
    expect(order.status).toBe(201);
    return order.body as { id: string; number: number; total: number };
  };

  beforeAll(async () => {
    app = await startTestApp();
    store = await createHostedStore(app);
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

  it('lists the customers with their names escaped, for staff too, never another store’s', async () => {
    await createCustomer({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' });
    await createCustomer({
      email: 'evil@example.com',
      firstName: '<script>alert(1)</script>',
      lastName: '<b>x</b>',
    });
    const other = await createHostedStore(app);
    await createCustomer({ email: 'elsewhere@example.com', firstName: 'Other' }, other);

    const page = await (await signedIn(app, store, store.staff)).get('/admin/customers');
    expect(page.status).toBe(200);
    expect(page.html).toContain('Ada Lovelace');
    expect(page.html).toContain('ada@example.com');
    expect(page.html).toContain('&lt;script>alert(1)&lt;/script> &lt;b>x&lt;/b>');
    expect(page.html).not.toContain('<script>alert(1)');
    expect(page.html).not.toContain('elsewhere@example.com');
    expect((await new PageClient(app, store.host).get('/admin/customers')).status).toBe(303);
  });

  it('pages through the customers', async () => {
    const fixture = await createHostedStore(app);
    for (let index = 0; index < 51; index++)
      await createCustomer({ email: `c${index}@example.com` }, fixture);
    const client = await signedIn(app, fixture);
    const first = await client.get('/admin/customers');
    const next = first.html.match(/href="(\/admin\/customers\?cursor=[^"]+)" rel="next"/);
    expect(next).not.toBeNull();
    const second = await client.get(next![1].replace(/&amp;/g, '&'));
    expect(second.status).toBe(200);
    expect((second.html.match(/<tr id="customer-/g) ?? []).length).toBe(1);
    expect(second.html).toContain('First page');
    expect((await client.get('/admin/customers?cursor=nonsense')).status).toBe(400);
  });

  it('shows today’s order count and revenue and the 5 latest orders on the dashboard', async () => {
    const client = await signedIn(app, store, store.staff);
    const before = await client.get('/admin');
    expect(before.status).toBe(200);
    expect(before.html).toMatch(/id="today-orders">0</);
    expect(before.html).toMatch(/id="today-revenue">€0.00</);
    const orders = [];
    for (let quantity = 1; quantity <= 6; quantity++) orders.push(await placeOrder(quantity));
    // A cancelled order counts as placed but brings nothing in.
    const cancelled = await app.request('POST', `/v1/orders/${orders[5].id}/cancel`, {
      token: store.key,
    });
    expect(cancelled.status).toBe(200);

    const page = await client.get('/admin');
    expect(page.html).toMatch(/id="today-orders">6</);
    // 1 + 2 + 3 + 4 + 5 mugs at €12.50, the 6 of the cancelled order left out.
    expect(page.html).toMatch(/id="today-revenue">€187.50</);
    const shown = [...page.html.matchAll(/<tr id="order-([^"]+)"/g)].map((match) => match[1]);
    expect(shown).toEqual(
      orders
        .slice(1)
        .reverse()
        .map((order) => order.id),
    );
  });

  itInChromium(
    'has no serious accessibility violation on the customers, dashboard and order pages',
    async () => {
      const order = await placeOrder(1);
      const browser = await launchChromium();
      try {
        const page = await (await browser.newContext()).newPage();
        const origin = `http://${store.handle}.localhost:${portOf(app.url)}`;
        await page.goto(`${origin}/admin/sign-in`);
        await page.getByLabel('Email').fill(store.owner.email);
        await page.getByLabel('Password').fill(store.owner.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(`${origin}/admin`);
        for (const path of [
          '/admin',
          '/admin/customers',
          '/admin/orders',
          `/admin/orders/${order.id}`,
        ]) {
          await page.goto(`${origin}${path}`);
          expect({ path, violations: await seriousViolations(page) }).toEqual({
            path,
            violations: [],
          });
        }
      } finally {
        await browser.close();
      }
    },
    90_000,
  );
});
