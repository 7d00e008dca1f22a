import type { ProductResource } from '../src/catalog/product.serializer';
import { createHostedStore, HostedStoreFixture, PageClient, signedIn } from './support/hosted';
import { startTestApp, TestApp } from './support/test-app';

const ids = (html: string) =>
  [...html.matchAll(/href="\/admin\/products\/(prod_[0-9a-z]+)"/g)].map((m) => m[1]);

describe('hosted admin: products and inventory pages', () => {
  let app: TestApp;
  let store: HostedStoreFixture;
  let other: HostedStoreFixture;
  let owner: PageClient;

  beforeAll(async () => {
    app = await startTestApp();
    store = await createHostedStore(app);
    other = await createHostedStore(app);
    owner = await signedIn(app, store);
  });
  afterAll(() => app.close());

  /** Creates a product through the new-product form; the id it redirected to. */
  async function createThroughForm(
    client: PageClient,
    fields: Record<string, string>,
  ): Promise<string> {
    const answer = await client.submit('/admin/products/new', '/admin/products/new', fields);
    expect(answer.status).toBe(303);
    const id = answer.location!.match(/^\/admin\/products\/(prod_[0-9a-z]+)$/)![1];
    return id;
  }

  const product = (id: string, key = store.key) =>
    app.request<ProductResource>('GET', `/v1/products/${id}`, { token: key });

  it('shows the new-product form with its labelled fields and Save', async () => {
    const list = await owner.get('/admin/products');
    expect(list.status).toBe(200);
    expect(list.html).toMatch(/<a href="\/admin\/products\/new"[^>]*>New product<\/a>/);
    const form = await owner.get('/admin/products/new');
    expect(form.status).toBe(200);
    for (const label of ['Title', 'Description', 'Status', 'SKU', 'Price', 'Stock'])
      expect(form.html).toMatch(new RegExp(`<label for="[^"]+">${label}<`));
    expect(form.html).toContain('name="variants.0.sku"');
    expect(form.html).toMatch(/<option value="archived"/);
    expect(form.html).toMatch(/<button type="submit">Save<\/button>/);
  });

  it('creates a product through the form, read back over REST with its event', async () => {
    const id = await createThroughForm(owner, {
      title: 'Blue mug',
      description: 'Holds tea.',
      status: 'active',
      'variants.0.sku': 'MUG-BLUE',
      'variants.0.price': '12.50',
      'variants.0.stock': '7',
      'variants.1.sku': '',
      'variants.1.price': '',
      'variants.1.stock': '',
    });
    const rest = await product(id);
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({
      title: 'Blue mug',
      description: 'Holds tea.',
      status: 'active',
      variants: [{ sku: 'MUG-BLUE', price: 1250, inventoryQuantity: 7 }],
    });
    const events = await app.request<{ data: { data: { object: { id: string } } }[] }>(
      'GET',
      '/v1/events?type=product.created',
      {
        token: store.key,
      },
    );
    expect(events.body.data.some((event) => event.data.object.id === id)).toBe(true);
    const edit = await owner.get(`/admin/products/${id}`);
    expect(edit.status).toBe(200);
    expect(edit.html).toContain('value="12.50"');
    expect(edit.html).toContain(`name="version" value="${rest.body.version}"`);
  });

  it('shows a bad price and a missing title beside their fields and creates nothing', async () => {
    const before = (
      await app.request<{ data: unknown[] }>('GET', '/v1/products?limit=100', { token: store.key })
    ).body.data.length;
    const answer = await owner.submit('/admin/products/new', '/admin/products/new', {
      title: '',
      status: 'draft',
      'variants.0.sku': 'BAD-1',
      'variants.0.price': '12.5x',
      'variants.0.stock': '1',
    });
    expect(answer.status).toBe(400);
    expect(answer.html).toMatch(/id="field-title-error">title must be longer than or equal to 1/);
    expect(answer.html).toMatch(/id="field-variants-0-price-error">Write the price/);
    expect(answer.html).toContain('value="12.5x"');
    const blankRows = await owner.submit('/admin/products/new', '/admin/products/new', {
      title: 'No variants',
      status: 'draft',
      'variants.0.sku': '',
      'variants.0.price': '',
      'variants.0.stock': '',
    });
    expect(blankRows.status).toBe(400);
    expect(blankRows.html).toContain('id="field-variants-0-sku-error"');
    const after = (
      await app.request<{ data: unknown[] }>('GET', '/v1/products?limit=100', { token: store.key })
    ).body.data.length;
    expect(after).toBe(before);
  });

  it('maps a taken SKU to its row, as REST names it', async () => {
    await createThroughForm(owner, {
      title: 'Taken',
      status: 'draft',
      'variants.0.sku': 'TAKEN-1',
      'variants.0.price': '1',
    });
    const answer = await owner.submit('/admin/products/new', '/admin/products/new', {
      title: 'Clash',
      status: 'draft',
      'variants.0.sku': '',
      'variants.0.price': '',
      'variants.1.sku': 'TAKEN-1',
      'variants.1.price': '2.00',
    });
    expect(answer.status).toBe(409);
    expect(answer.html).toMatch(
      /id="field-variants-1-sku-error">The SKU &quot;TAKEN-1&quot; is taken/,
    );
  });

  it('adds a variant row without JavaScript, keeping what was typed', async () => {
    const answer = await owner.submit('/admin/products/new', '/admin/products/new', {
      title: 'Growing',
      'variants.0.sku': 'G-1',
      'variants.0.price': '3',
      _add_variant: '1',
    });
    expect(answer.status).toBe(200);
    expect(answer.html).toContain('value="Growing"');
    expect(answer.html).toContain('name="variants.1.sku"');
  });

  it('edits a product, and refuses a stale version without overwriting', async () => {
    const id = await createThroughForm(owner, {
      title: 'Lamp',
      status: 'draft',
      'variants.0.sku': 'LAMP-1',
      'variants.0.price': '20',
      'variants.0.stock': '2',
    });
    const v1 = (await product(id)).body;
    const fields = (title: string, version: number) => ({
      title,
      description: '',
      status: 'active',
      version: String(version),
      'variants.0.id': v1.variants[0].id,
      'variants.0.sku': 'LAMP-1',
      'variants.0.price': '25.00',
      'variants.0.stock': '2',
    });
    const saved = await owner.submit(
      `/admin/products/${id}`,
      `/admin/products/${id}`,
      fields('Desk lamp', v1.version),
    );
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`/admin/products/${id}`);
    const v2 = (await product(id)).body;
    expect(v2).toMatchObject({ title: 'Desk lamp', status: 'active', version: v1.version + 1 });
    expect(v2.variants).toMatchObject([
      { id: v1.variants[0].id, price: 2500, inventoryQuantity: 2 },
    ]);

    const stale = await owner.submit(
      `/admin/products/${id}`,
      `/admin/products/${id}`,
      fields('Overwritten', v1.version),
    );
    expect(stale.status).toBe(409);
    expect(stale.html).toContain('Someone changed this product');
    expect(stale.html).toContain('value="Desk lamp"');
    expect(stale.html).toContain(`name="version" value="${v2.version}"`);
    expect((await product(id)).body).toMatchObject({ title: 'Desk lamp', version: v2.version });
  });

  it('deletes a product and goes back to the list', async () => {
    const id = await createThroughForm(owner, {
      title: 'Gone soon',
      status: 'draft',
      'variants.0.sku': 'GONE-1',
      'variants.0.price': '1',
    });
    const deleted = await owner.submit(`/admin/products/${id}`, `/admin/products/${id}/delete`, {});
    expect(deleted.status).toBe(303);
    expect(deleted.location).toBe('/admin/products');
    expect((await product(id)).status).toBe(404);
    expect((await owner.get(`/admin/products/${id}`)).status).toBe(404);
  });

  it('lets staff use the pages', async () => {
    const staff = await signedIn(app, store, store.staff);
    const id = await createThroughForm(staff, {
      title: 'Staff made',
      status: 'draft',
      'variants.0.sku': 'STAFF-1',
      'variants.0.price': '4.20',
    });
    expect((await product(id)).body.variants[0].price).toBe(420);
    expect((await staff.get('/admin/products')).html).toContain('Staff made');
    expect((await staff.get('/admin/inventory')).status).toBe(200);
  });

  it('answers 404 for another store’s product and an unknown id', async () => {
    const foreign = await app.request<ProductResource>('POST', '/v1/products', {
      token: other.key,
      body: { title: 'Theirs', variants: [{ sku: 'THEIRS-1', price: 100 }] },
    });
    expect(foreign.status).toBe(201);
    expect((await owner.get(`/admin/products/${foreign.body.id}`)).status).toBe(404);
    expect((await owner.get('/admin/products/prod_nothing')).status).toBe(404);
    const deleting = await owner.submit(
      '/admin/products',
      `/admin/products/${foreign.body.id}/delete`,
      {},
    );
    expect(deleting.status).toBe(404);
    expect((await product(foreign.body.id, other.key)).body.title).toBe('Theirs');
  });

  it('escapes an HTML-laden title in the list and the edit page', async () => {
    const title = '<img src=x onerror=alert(1)>';
    const id = await createThroughForm(owner, {
      title,
      status: 'draft',
      'variants.0.sku': 'XSS-1',
      'variants.0.price': '1',
    });
    const list = await owner.get('/admin/products?q=onerror');
    const edit = await owner.get(`/admin/products/${id}`);
    for (const page of [list, edit]) {
      expect(page.html).not.toContain('<img src=x');
      expect(page.html).toContain('&lt;img src=x onerror=alert(1)>');
    }
  });

  it('searches by title and pages', async () => {
    const client = await signedIn(app, store);
    const marker = `zebra${Date.now()}`;
    const made: string[] = [];
    for (let i = 0; i < 3; i++)
      made.push(
        await createThroughForm(client, {
          title: `Striped ${marker.toUpperCase()} ${i}`,
          status: 'draft',
          'variants.0.sku': `${marker}-${i}`,
          'variants.0.price': '1',
        }),
      );
    const found = await client.get(`/admin/products?q=${marker}`);
    expect(ids(found.html).sort()).toEqual([...made].sort());
    expect(found.html).toContain(`value="${marker}"`);
    const none = await client.get('/admin/products?q=nothing-has-this-title');
    expect(ids(none.html)).toEqual([]);
    const first = await client.get('/admin/products');
    expect(ids(first.html).length).toBeGreaterThan(3);
  });

  it('adjusts stock from the inventory page, read back over REST', async () => {
    const id = await createThroughForm(owner, {
      title: 'Socks',
      status: 'active',
      'variants.0.sku': 'SOCK-1',
      'variants.0.price': '3',
      'variants.0.stock': '5',
    });
    const variantId = (await product(id)).body.variants[0].id;
    const page = await owner.get('/admin/inventory');
    expect(page.status).toBe(200);
    expect(page.html).toContain('SOCK-1');
    const adjusted = await owner.submit('/admin/inventory', '/admin/inventory/adjustments', {
      variantId,
      delta: '-2',
      reason: 'damaged',
    });
    expect(adjusted.status).toBe(303);
    expect((await product(id)).body.variants[0].inventoryQuantity).toBe(3);
    const tooMany = await owner.submit('/admin/inventory', '/admin/inventory/adjustments', {
      variantId,
      delta: '-10',
      reason: 'lost',
    });
    expect(tooMany.status).toBe(409);
    expect(tooMany.html).toContain('At least -3 is allowed.');
    const noReason = await owner.submit('/admin/inventory', '/admin/inventory/adjustments', {
      variantId,
      delta: 'x',
      reason: '',
    });
    expect(noReason.status).toBe(400);
    expect((await product(id)).body.variants[0].inventoryQuantity).toBe(3);
  });
});
