import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { itInChromium, launchChromium, portOf } from './support/browser';
import { createHostedStore, HostedStoreFixture } from './support/hosted';
import { OwnRedisServer, REDIS_SERVER_BINARY, redisServerAvailable } from './support/redis-server';
import { startTestApp, TestApp } from './support/test-app';

const available = redisServerAvailable();
if (!available)
  console.warn(
    `SKIPPED: no redis-server at ${REDIS_SERVER_BINARY} (CI installs it); the hosted UI's live pages were not tried across instances`,
  );

/**
 * Live pages on a fleet: the page is open on one instance (the viewer) while every change is made
 * through another (the writer), so each update crosses Redis. Then the viewer stops and starts
 * again on the same port, as a deploy does: the open page must reconnect by itself and show what
 * was committed while its stream was down, without a reload.
 */
(available ? describe : describe.skip)('hosted live pages across instances, in Chromium', () => {
  let redis: OwnRedisServer;
  let writer: TestApp;
  let viewer: TestApp;
  let store: HostedStoreFixture;
  let variantId: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    redis = await OwnRedisServer.start();
    writer = await startTestApp({ env: { REDIS_URL: redis.url } });
    env = { REDIS_URL: redis.url, DATABASE_URL: writer.databaseUrl };
    viewer = await startTestApp({ env });
    store = await createHostedStore(writer);
    const product = await writer.request('POST', '/v1/products', {
      token: store.key,
      body: {
        title: 'Fleet mug',
        status: 'active',
        variants: [{ sku: 'FLEET', price: 1250, inventoryQuantity: 1000 }],
      },
    });
    expect(product.status).toBe(201);
    variantId = product.body.variants[0].id;
  });
  afterAll(async () => {
    await viewer?.close();
    await writer?.close();
    await redis?.stop();
  });

  const placeOrder = async (email: string) => {
    const order = await writer.request('POST', '/v1/orders', {
      token: store.key,
      body: { email, lineItems: [{ variantId, quantity: 1 }] },
    });
    expect(order.status).toBe(201);
    return order.body as { id: string; number: number };
  };

  async function signIn(page: Page, origin: string): Promise<void> {
    await page.goto(`${origin}/admin/sign-in`);
    await page.getByLabel('Email').fill(store.owner.email);
    await page.getByLabel('Password').fill(store.owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/admin`);
  }

  itInChromium(
    'shows orders placed on another instance, and catches up after its own instance restarts',
    async () => {
      const port = portOf(viewer.url);
      const origin = `http://${store.handle}.localhost:${port}`;
      const browser = await launchChromium();
      try {
        const page = await (await browser.newContext()).newPage();
        await signIn(page, origin);
        await page.goto(`${origin}/admin/orders`);
        await page.locator('.live-status[data-state="live"]').waitFor();
        // A reload would drop this mark; it must survive the reconnection.
        await page.evaluate(() => ((window as unknown as { mark: string }).mark = 'not reloaded'));

        const latencies: number[] = [];
        for (let round = 0; round < 5; round++) {
          const order = await placeOrder(`fleet-${round}@example.com`);
          const answered = performance.now();
          await page.locator(`#order-${order.id}`).waitFor();
          latencies.push(performance.now() - answered);
        }
        console.log(
          `live order list across two instances (Redis): REST answer on the writer → row in the DOM on the viewer: ${latencies.map((ms) => ms.toFixed(0)).join(', ')} ms`,
        );

        // The viewer goes away; the page notices and keeps trying.
        await viewer.close();
        await page.locator('.live-status[data-state="offline"]').waitFor();
        const missed = [
          await placeOrder('missed-1@example.com'),
          await placeOrder('missed-2@example.com'),
        ];
        viewer = await startTestApp({ env: { ...env, PORT: port } });
        const back = performance.now();
        for (const order of missed) await page.locator(`#order-${order.id}`).waitFor();
        console.log(
          `live order list: caught up ${missed.length} missed orders ${(performance.now() - back).toFixed(0)} ms after the instance was back`,
        );
        await page.locator('.live-status[data-state="live"]').waitFor();
        expect(await page.evaluate(() => (window as unknown as { mark?: string }).mark)).toBe(
          'not reloaded',
        );
        // Newest first, each once: the catch-up neither dropped nor repeated an event.
        const rows = await page
          .locator('#order-rows tr')
          .evaluateAll((trs) => trs.map((tr) => tr.id));
        expect(rows.slice(0, 3)).toEqual([
          `order-${missed[1].id}`,
          `order-${missed[0].id}`,
          expect.stringMatching(/^order-ord_/),
        ]);
        expect(new Set(rows).size).toBe(rows.length);

        // And live again after the catch-up: the next order arrives as the first ones did.
        const after = await placeOrder('after@example.com');
        await page.locator(`#order-${after.id}`).waitFor();
      } finally {
        await browser.close();
      }
    },
    120_000,
  );

  itInChromium(
    "updates an open product page's stock from changes made on another instance",
    async () => {
      const origin = `http://${store.handle}.localhost:${portOf(viewer.url)}`;
      const browser = await launchChromium();
      try {
        const page = await (await browser.newContext()).newPage();
        const product = await writer.request('POST', '/v1/products', {
          token: store.key,
          body: {
            title: 'Fleet lamp',
            status: 'active',
            variants: [{ sku: 'FLEET-LAMP', price: 900, inventoryQuantity: 3 }],
          },
        });
        const lamp = product.body.variants[0].id as string;
        await page.goto(`${origin}/products/${product.body.handle}`);
        await page.locator('.live-status[data-state="live"]').waitFor();
        for (let quantity = 2; quantity >= 0; quantity -= 1) {
          const adjusted = await writer.request('POST', '/v1/inventory/adjustments', {
            token: store.key,
            body: { variantId: lamp, delta: -1, reason: 'fleet test' },
          });
          expect(adjusted.status).toBe(201);
          await page.locator(`#stock-${lamp}[data-quantity="${quantity}"]`).waitFor();
        }
        await page.locator(`#stock-${lamp}`).getByText('Sold out').waitFor();
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
