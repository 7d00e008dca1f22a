import type { Page } from 'playwright-core';
import { itInChromium, launchChromium, portOf, seriousViolations } from './support/browser';
import { createHostedStore, HostedStoreFixture } from './support/hosted';
import { authorizePath, pkcePair, registerApp } from './support/oauth';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The admin's product and inventory pages driven by their labels and buttons (CONTRACT.md, Hosted
 * UI), with axe-core on each page and state, errors included; and the pages no other browser suite
 * opens: the 404 page, the sync conflicts, and the OAuth sign-in and consent pages (rendered by the
 * same layer).
 */
describe('hosted admin: products and inventory in Chromium', () => {
  let app: TestApp;
  let store: HostedStoreFixture;
  let origin: string;

  beforeAll(async () => {
    app = await startTestApp();
    store = await createHostedStore(app);
    origin = `http://${store.handle}.localhost:${portOf(app.url)}`;
  });
  afterAll(() => app.close());

  async function expectAccessible(page: Page, what: string): Promise<void> {
    expect({ what, violations: await seriousViolations(page) }).toEqual({ what, violations: [] });
  }

  itInChromium(
    'creates, edits, stocks and deletes a product by labels, each page without a serious violation',
    async () => {
      const browser = await launchChromium();
      try {
        const page = await (await browser.newContext()).newPage();
        await page.goto(`${origin}/admin/sign-in?next=%2Fadmin%2Fproducts`);
        await page.getByLabel('Email').fill(store.owner.email);
        await page.getByLabel('Password').fill(store.owner.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(`${origin}/admin/products`);
        await expectAccessible(page, 'products, empty');

        await page.getByRole('link', { name: 'New product' }).click();
        await page.waitForURL(`${origin}/admin/products/new`);
        await expectAccessible(page, 'new product');
        // Refused first: the page comes back with its errors, tied to their fields.
        await page.getByLabel('SKU').fill('DESK-1');
        await page.getByLabel('Price').fill('twelve');
        await page.getByRole('button', { name: 'Save' }).click();
        await page.getByLabel('Price').and(page.locator('[aria-invalid="true"]')).waitFor();
        await expectAccessible(page, 'new product with errors');

        await page.getByLabel('Title').fill('Standing desk');
        await page.getByLabel('Description').fill('Oak top, <b>two</b> motors');
        await page.getByLabel('Status').selectOption('active');
        await page.getByLabel('Price').fill('349.50');
        await page.getByLabel('Stock').fill('4');
        await page.getByRole('button', { name: 'Save' }).click();
        await page.waitForURL(/\/admin\/products\/prod_[0-9a-z]{26}$/);
        await expectAccessible(page, 'edit product');
        const productId = /prod_[0-9a-z]{26}/.exec(page.url())![0];
        const created = await app.request('GET', `/v1/products/${productId}`, { token: store.key });
        expect(created.body).toMatchObject({
          title: 'Standing desk',
          description: 'Oak top, <b>two</b> motors',
          status: 'active',
          variants: [{ sku: 'DESK-1', price: 34950, inventoryQuantity: 4 }],
        });

        await page.getByLabel('Title').fill('Standing desk, oak');
        await page.getByRole('button', { name: 'Save' }).click();
        await page.getByLabel('Title').and(page.locator('[value="Standing desk, oak"]')).waitFor();
        const edited = await app.request('GET', `/v1/products/${productId}`, { token: store.key });
        expect(edited.body).toMatchObject({ title: 'Standing desk, oak', version: 2 });

        await page.goto(`${origin}/admin/products?q=oak`);
        await page.getByRole('link', { name: 'Standing desk, oak' }).waitFor();
        await expectAccessible(page, 'products, searched');

        await page.goto(`${origin}/admin/inventory`);
        await expectAccessible(page, 'inventory');
        await page.getByLabel('Change stock of DESK-1 by').fill('-3');
        await page.getByLabel('Reason for DESK-1').fill('damaged in transit');
        await page.getByRole('button', { name: 'Adjust' }).click();
        await page.waitForURL((url) => url.pathname === '/admin/inventory');
        const variantId = created.body.variants[0].id;
        const stocked = await app.request('GET', `/v1/products/${productId}`, { token: store.key });
        expect(stocked.body.variants[0]).toMatchObject({ id: variantId, inventoryQuantity: 1 });
        // A refused adjustment (more than the stock) shows its error on the page.
        await page.getByLabel('Change stock of DESK-1 by').fill('-5');
        await page.getByLabel('Reason for DESK-1').fill('too many');
        await page.getByRole('button', { name: 'Adjust' }).click();
        await page.locator('[role="alert"]').first().waitFor();
        await expectAccessible(page, 'inventory with an error');

        await page.goto(`${origin}/admin/products/${productId}`);
        await page.getByRole('button', { name: 'Delete' }).click();
        await page.waitForURL(`${origin}/admin/products`);
        const deleted = await app.request('GET', `/v1/products/${productId}`, { token: store.key });
        expect(deleted.status).toBe(404);

        await page.goto(`${origin}/admin/developers/sync-conflicts`);
        await expectAccessible(page, 'sync conflicts');
        const missing = await page.goto(`${origin}/no-such-page`);
        expect(missing?.status()).toBe(404);
        await page.getByRole('heading', { name: 'Page not found' }).waitFor();
        await expectAccessible(page, 'the 404 page');
      } finally {
        await browser.close();
      }
    },
    90_000,
  );

  itInChromium(
    'signs in and approves on the OAuth pages by their labels, without a serious violation',
    async () => {
      const registered = await registerApp(app, {
        confidential: false,
        scopes: ['read_products'],
        redirectUris: ['http://127.0.0.1:9/callback'],
      });
      const browser = await launchChromium();
      try {
        const page = await (await browser.newContext()).newPage();
        const path = authorizePath({
          response_type: 'code',
          client_id: registered.clientId,
          redirect_uri: registered.redirectUri,
          scope: 'read_products',
          state: 'axe',
          code_challenge: pkcePair().challenge,
          code_challenge_method: 'S256',
        });
        await page.goto(`${app.url}${path}`);
        await expectAccessible(page, 'OAuth sign-in');
        await page.getByLabel('Email').fill(store.owner.email);
        await page.getByLabel('Password').fill('not the password');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.locator('[role="alert"]').first().waitFor();
        await expectAccessible(page, 'OAuth sign-in refused');
        await page.getByLabel('Password').fill(store.owner.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('button', { name: 'Approve' }).waitFor();
        await expectAccessible(page, 'OAuth consent');
        const redirected = page.waitForRequest((request) =>
          request.url().startsWith(registered.redirectUri),
        );
        await page.getByRole('button', { name: 'Approve' }).click();
        expect(new URL((await redirected).url()).searchParams.get('state')).toBe('axe');
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
