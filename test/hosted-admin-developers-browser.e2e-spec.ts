import { itInChromium, launchChromium, portOf, seriousViolations } from './support/browser';
import { createHostedStore, HostedStoreFixture } from './support/hosted';
import { startTestApp, TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

/** The developer settings in a real browser, by labels and button names, without JavaScript's help. */
describe('hosted admin: developer settings in Chromium', () => {
  let app: TestApp;
  let store: HostedStoreFixture;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    app = await startTestApp();
    receiver = await WebhookReceiver.start();
    store = await createHostedStore(app);
  });
  afterAll(async () => {
    await receiver?.close();
    await app?.close();
  });

  itInChromium(
    'creates a key by its labels and buttons; no page has a serious accessibility violation',
    async () => {
      const browser = await launchChromium();
      try {
        const page = await (await browser.newContext()).newPage();
        const origin = `http://${store.handle}.localhost:${portOf(app.url)}`;
        const violations = async (path: string) => [path, await seriousViolations(page)];
        await page.goto(`${origin}/admin/sign-in?next=%2Fadmin%2Fdevelopers`);
        await page.getByLabel('Email').fill(store.owner.email);
        await page.getByLabel('Password').fill(store.owner.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(`${origin}/admin/developers`);
        expect(await violations('/admin/developers')).toEqual(['/admin/developers', []]);

        await page.getByRole('link', { name: 'API keys' }).click();
        await page.waitForURL(`${origin}/admin/developers/api-keys`);
        expect(await violations('api-keys')).toEqual(['api-keys', []]);
        await page.getByLabel('Name', { exact: true }).fill('Browser key');
        await page.getByLabel('read_products', { exact: true }).check();
        await page.getByLabel('write_orders', { exact: true }).check();
        await page.getByRole('button', { name: 'Create key' }).click();
        const key = (await page.locator('code.secret').textContent())!;
        expect(key).toMatch(/^dk_live_/);
        expect(await violations('created key')).toEqual(['created key', []]);
        const created = await app.request('GET', '/v1/products', { token: key });
        expect(created.status).toBe(200);
        expect((await app.request('GET', '/v1/customers', { token: key })).status).toBe(403);
        await page.goto(`${origin}/admin/developers/api-keys`);
        expect(await page.locator('code.secret').count()).toBe(0);
        await page.getByRole('button', { name: 'Revoke' }).last().click();
        await page.waitForURL(`${origin}/admin/developers/api-keys`);
        expect((await app.request('GET', '/v1/products', { token: key })).status).toBe(401);

        await page.goto(`${origin}/admin/developers/webhooks`);
        expect(await violations('webhooks')).toEqual(['webhooks', []]);
        await page.getByLabel('URL').fill(`${receiver.url}/browser`);
        await page.getByLabel('product.created', { exact: true }).check();
        await page.getByRole('button', { name: 'Create subscription' }).click();
        expect(await violations('subscription')).toEqual(['subscription', []]);
        await page.getByRole('button', { name: 'Send test' }).click();
        await receiver.waitFor((received) => received.some((one) => one.path === '/browser'));
        expect(await violations('deliveries')).toEqual(['deliveries', []]);

        await page.goto(`${origin}/admin/developers/apps`);
        expect(await violations('apps')).toEqual(['apps', []]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
