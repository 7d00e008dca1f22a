import { createHostedStore, HostedStoreFixture, PageClient } from './support/hosted';
import { startTestApp, TestApp } from './support/test-app';

interface Variant {
  id: string;
  inventoryQuantity: number;
}
interface Product {
  id: string;
  handle: string;
  variants: Variant[];
}

describe('hosted storefront, without JavaScript', () => {
  let app: TestApp;
  let store: HostedStoreFixture;
  let other: HostedStoreFixture;

  beforeAll(async () => {
    app = await startTestApp();
    store = await createHostedStore(app);
    other = await createHostedStore(app);
  });
  afterAll(() => app.close());

  async function createProduct(
    fixture: HostedStoreFixture,
    fields: { title: string; status?: string; stock?: number; price?: number },
  ): Promise<Product> {
    const created = await app.request<Product>('POST', '/v1/products', {
      token: fixture.key,
      body: {
        title: fields.title,
        status: fields.status ?? 'active',
        variants: [
          {
            sku: `SKU-${Math.random().toString(36).slice(2, 10)}`,
            price: fields.price ?? 1250,
            inventoryQuantity: fields.stock ?? 5,
          },
        ],
      },
    });
    expect(created.status).toBe(201);
    return created.body;
  }

  /** home → product → "Add to cart" (quantity) → cart. */
  async function addToCart(client: PageClient, product: Product, quantity: number) {
    const added = await client.submit(`/products/${product.handle}`, '/cart/lines', {
      productId: product.id,
      variantId: product.variants[0].id,
      quantity: String(quantity),
    });
    expect(added.status).toBe(303);
    expect(added.location).toBe('/cart');
  }

  function checkoutForm(html: string): { _csrf: string; checkoutKey: string } {
    const form = html.slice(html.indexOf('action="/checkout"'));
    return {
      _csrf: /name="_csrf" value="([^"]+)"/.exec(form)![1],
      checkoutKey: /name="checkoutKey" value="([^"]+)"/.exec(form)![1],
    };
  }

  async function ordersOf(fixture: HostedStoreFixture): Promise<{ id: string; email: string }[]> {
    const listed = await app.request('GET', '/v1/orders?limit=100', { token: fixture.key });
    return listed.body.data;
  }

  it('takes a buyer from the home page to a confirmed order, read back over REST', async () => {
    const product = await createProduct(store, { title: 'Blue mug', stock: 5, price: 1250 });
    const client = new PageClient(app, store.host);

    const home = await client.get('/');
    expect(home.status).toBe(200);
    expect(home.html).toContain(`href="/products/${product.handle}">Blue mug</a>`);
    expect(home.html).toContain('€12.50');

    const page = await client.get(`/products/${product.handle}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('In stock');
    expect(page.html).toContain('<label for="field-quantity">Quantity');
    expect(page.html).toMatch(/<button type="submit">Add to cart<\/button>/);
    expect(page.html).toContain(`data-live="/products/${product.handle}/live"`);

    await addToCart(client, product, 2);
    const cart = await client.get('/cart');
    expect(cart.html).toContain('Blue mug');
    expect(cart.html).toContain('€25.00');
    expect(cart.html).toMatch(/<button type="submit">Checkout<\/button>/);
    expect(home.html).not.toContain('<span class="badge">2</span>');
    expect(cart.html).toContain('<span class="badge">2</span>');

    const checkout = await client.get('/checkout');
    expect(checkout.status).toBe(200);
    expect(checkout.html).toContain('<label for="field-email">Email');
    expect(checkout.html).toMatch(/<button type="submit">Place order<\/button>/);
    const placed = await client.post('/checkout', {
      ...checkoutForm(checkout.html),
      email: 'buyer@example.com',
    });
    expect(placed.status).toBe(303);
    expect(placed.location).toMatch(/^\/orders\/ord_[0-9a-z]{26}\/confirmation\?token=/);

    const confirmation = await client.get(placed.location!);
    expect(confirmation.status).toBe(200);
    const orderId = /\/orders\/(ord_[0-9a-z]{26})\//.exec(placed.location!)![1];
    const order = await app.request('GET', `/v1/orders/${orderId}`, { token: store.key });
    expect(order.status).toBe(200);
    expect(order.body).toMatchObject({
      email: 'buyer@example.com',
      total: 2500,
      lineItems: [{ variantId: product.variants[0].id, quantity: 2 }],
    });
    expect(confirmation.html).toContain(`order #${order.body.number}`);

    const stock = await app.request<Product>('GET', `/v1/products/${product.id}`, {
      token: store.key,
    });
    expect(stock.body.variants[0].inventoryQuantity).toBe(3);
    expect((await client.get('/cart')).html).toContain('Your cart is empty');

    // The confirmation opens only with its signature.
    const forged = await client.get(`/orders/${orderId}/confirmation?token=forged`);
    expect(forged.status).toBe(404);
  });

  it('changes and removes cart lines', async () => {
    const product = await createProduct(store, { title: 'Tea towel', price: 500 });
    const client = new PageClient(app, store.host);
    await addToCart(client, product, 1);
    const changed = await client.submit('/cart', `/cart/lines/${product.variants[0].id}`, {
      quantity: '3',
    });
    expect(changed.status).toBe(303);
    expect((await client.get('/cart')).html).toContain('€15.00');
    const invalid = await client.submit('/cart', `/cart/lines/${product.variants[0].id}`, {
      quantity: 'lots',
    });
    expect(invalid.status).toBe(400);
    const removed = await client.submit(
      '/cart',
      `/cart/lines/${product.variants[0].id}/remove`,
      {},
    );
    expect(removed.status).toBe(303);
    expect((await client.get('/cart')).html).toContain('Your cart is empty');
  });

  it('creates one order however often the same checkout form is submitted', async () => {
    const product = await createProduct(store, { title: 'Double click', stock: 10 });
    const client = new PageClient(app, store.host);
    await addToCart(client, product, 1);
    const checkout = await client.get('/checkout');
    const form = { ...checkoutForm(checkout.html), email: 'twice@example.com' };
    const cartCookie = client.cookie('dk_cart')!;
    // Concurrent submissions of the same form, with the cart cookie they were sent with.
    const answers = await Promise.all(
      [1, 2, 3].map(() => {
        const twin = new PageClient(app, store.host);
        twin.setCookie('dk_csrf', client.cookie('dk_csrf')!);
        twin.setCookie('dk_cart', cartCookie);
        return twin.post('/checkout', form);
      }),
    );
    const again = await client.post('/checkout', form);
    for (const answer of [...answers, again]) expect(answer.status).toBe(303);
    expect(new Set([...answers, again].map((answer) => answer.location)).size).toBe(1);
    const orders = (await ordersOf(store)).filter((order) => order.email === 'twice@example.com');
    expect(orders).toHaveLength(1);
    const stock = await app.request<Product>('GET', `/v1/products/${product.id}`, {
      token: store.key,
    });
    expect(stock.body.variants[0].inventoryQuantity).toBe(9);
  });

  it('shows the stock error at checkout and creates nothing', async () => {
    const product = await createProduct(store, { title: 'Last one', stock: 1 });
    const client = new PageClient(app, store.host);
    await addToCart(client, product, 2);
    const before = (await ordersOf(store)).length;
    const checkout = await client.get('/checkout');
    const refused = await client.post('/checkout', {
      ...checkoutForm(checkout.html),
      email: 'short@example.com',
    });
    expect(refused.status).toBe(409);
    expect(refused.html).toContain('Not enough stock');
    expect(refused.html).toContain('Only 1 in stock.');
    expect(refused.html).toMatch(/<button type="submit">Place order<\/button>/);
    expect((await ordersOf(store)).length).toBe(before);
    const stock = await app.request<Product>('GET', `/v1/products/${product.id}`, {
      token: store.key,
    });
    expect(stock.body.variants[0].inventoryQuantity).toBe(1);
    expect(client.cookie('dk_cart')).toBeDefined();
  });

  it('refuses an invalid email with the field error', async () => {
    const product = await createProduct(store, { title: 'Needs an email' });
    const client = new PageClient(app, store.host);
    await addToCart(client, product, 1);
    const checkout = await client.get('/checkout');
    const refused = await client.post('/checkout', {
      ...checkoutForm(checkout.html),
      email: 'not an email',
    });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('aria-invalid="true"');
  });

  it('answers 404 for draft, archived and unknown products', async () => {
    const draft = await createProduct(store, { title: 'Secret draft', status: 'draft' });
    const archived = await createProduct(store, { title: 'Old thing', status: 'archived' });
    const client = new PageClient(app, store.host);
    for (const path of [
      `/products/${draft.handle}`,
      `/products/${archived.handle}`,
      '/products/no-such-thing',
      `/products/${draft.handle}/live`,
    ]) {
      const page = await client.get(path);
      expect(page.status).toBe(404);
      expect(page.headers['content-type']).toContain('text/html');
    }
    const home = await client.get('/');
    expect(home.html).not.toContain('Secret draft');
    expect(home.html).not.toContain('Old thing');
    // Nor can one be put in the cart by its ids.
    const shown = await createProduct(store, { title: 'Shown' });
    const added = await client.submit(`/products/${shown.handle}`, '/cart/lines', {
      productId: draft.id,
      variantId: draft.variants[0].id,
      quantity: '1',
    });
    expect(added.status).toBe(404);
  });

  it('renders an HTML-laden title inert', async () => {
    const product = await createProduct(store, { title: '<img src=x onerror=alert(1)>' });
    const client = new PageClient(app, store.host);
    for (const path of ['/', `/products/${product.handle}`]) {
      const page = await client.get(path);
      expect(page.html).not.toContain('<img src=x');
      expect(page.html).toContain('&lt;img src=x onerror=alert(1)>');
    }
    await addToCart(client, product, 1);
    expect((await client.get('/cart')).html).not.toContain('<img src=x');
  });

  it("serves no other store's product, cart or confirmation", async () => {
    const theirs = await createProduct(other, { title: 'Their product' });
    const client = new PageClient(app, store.host);
    expect((await client.get(`/products/${theirs.handle}`)).status).toBe(404);
    const ours = await createProduct(store, { title: 'Our product' });
    const added = await client.submit(`/products/${ours.handle}`, '/cart/lines', {
      productId: theirs.id,
      variantId: theirs.variants[0].id,
      quantity: '1',
    });
    expect(added.status).toBe(404);
    expect((await client.get('/')).html).not.toContain('Their product');

    // A cart signed on the other store's host is not a cart here.
    const buyer = new PageClient(app, other.host);
    await addToCart(buyer, theirs, 1);
    const replayed = new PageClient(app, store.host);
    replayed.setCookie('dk_cart', buyer.cookie('dk_cart')!);
    expect((await replayed.get('/cart')).html).toContain('Your cart is empty');
  });

  it('pages through the active products with "Next page"', async () => {
    const shop = await createHostedStore(app);
    for (let index = 0; index < 26; index += 1)
      await createProduct(shop, { title: `Item ${String(index).padStart(2, '0')}` });
    const client = new PageClient(app, shop.host);
    const first = await client.get('/');
    const next = /href="(\/\?cursor=[^"]+)" rel="next">Next page/.exec(first.html);
    expect(next).not.toBeNull();
    const second = await client.get(next![1].replace(/&amp;/g, '&'));
    expect(second.status).toBe(200);
    const titles = (html: string) => [...html.matchAll(/>(Item \d\d)<\/a>/g)].map((m) => m[1]);
    expect(titles(first.html)).toHaveLength(24);
    expect(titles(second.html)).toHaveLength(2);
    expect(new Set([...titles(first.html), ...titles(second.html)]).size).toBe(26);
    expect((await client.get('/?cursor=garbage')).status).toBe(400);
  });
});
