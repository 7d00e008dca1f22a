import type { Page } from 'playwright-core';
import { itInChromium, launchChromium, portOf, seriousViolations } from './support/browser';
import { createHostedStore, HostedStoreFixture } from './support/hosted';
import { startTestApp, TestApp } from './support/test-app';

interface Product {
  id: string;
  handle: string;
  variants: { id: string; inventoryQuantity: number }[];
}

/** p50, p99 and max of millisecond samples, for the live latency lines. */
function spread(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (fraction: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
  return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${sorted[sorted.length - 1]} ms`;
}

describe('hosted storefront in Chromium', () => {
  let app: TestApp;
  let store: HostedStoreFixture;
  let origin: string;

  beforeAll(async () => {
    app = await startTestApp();
    store = await createHostedStore(app);
    origin = `http://${store.handle}.localhost:${portOf(app.url)}`;
  });
  afterAll(() => app.close());

  async function createProduct(title: string, stock: number): Promise<Product> {
    const created = await app.request<Product>('POST', '/v1/products', {
      token: store.key,
      body: {
        title,
        status: 'active',
        variants: [
          {
            sku: `SKU-${Math.random().toString(36).slice(2, 10)}`,
            price: 1999,
            inventoryQuantity: stock,
          },
        ],
      },
    });
    expect(created.status).toBe(201);
    return created.body;
  }

  /** Script errors and CSP refusals, which must stay empty. */
  function watchErrors(page: Page): string[] {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/.test(message.text())) errors.push(message.text());
    });
    return errors;
  }

  itInChromium(
    'buys with JavaScript on, with no serious accessibility violation on any page',
    async () => {
      const product = await createProduct('Chromium kettle', 4);
      const browser = await launchChromium();
      try {
        const page = await (await browser.newContext()).newPage();
        const errors = watchErrors(page);
        await page.goto(`${origin}/`);
        expect(await seriousViolations(page)).toEqual([]);
        await page.getByRole('link', { name: 'Chromium kettle' }).click();
        await page.waitForURL(`${origin}/products/${product.handle}`);
        await page.getByText('In stock').waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        await page.getByLabel('Quantity').fill('2');
        await page.getByRole('button', { name: 'Add to cart' }).click();
        await page.waitForURL(`${origin}/cart`);
        expect(await seriousViolations(page)).toEqual([]);
        await page.getByRole('button', { name: 'Checkout' }).click();
        await page.waitForURL((url) => url.pathname === '/checkout');
        expect(await seriousViolations(page)).toEqual([]);
        await page.getByLabel('Email').fill('chromium@example.com');
        await page.getByRole('button', { name: 'Place order' }).click();
        await page.waitForURL(/\/orders\/ord_[0-9a-z]{26}\/confirmation/);
        expect(await seriousViolations(page)).toEqual([]);
        const orderId = /ord_[0-9a-z]{26}/.exec(page.url())![0];
        const order = await app.request('GET', `/v1/orders/${orderId}`, { token: store.key });
        expect(order.body).toMatchObject({ email: 'chromium@example.com', total: 3998 });
        await page.getByText(`#${order.body.number}`).first().waitFor();
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );

  itInChromium(
    'updates the stock on an open product page when it changes over REST',
    async () => {
      const ROUNDS = 100;
      const product = await createProduct('Live lamp', ROUNDS);
      const variantId = product.variants[0].id;
      const browser = await launchChromium();
      try {
        const page = await (await browser.newContext()).newPage();
        const errors = watchErrors(page);
        await page.goto(`${origin}/products/${product.handle}`);
        await page.locator('.live-status[data-state="live"]').waitFor();
        // The page notes when the stock element changes, on the machine's clock.
        await page.evaluate((id) => {
          const seen: Record<string, number> = {};
          (window as unknown as { stockSeen: Record<string, number> }).stockSeen = seen;
          new MutationObserver(() => {
            const quantity = document.getElementById(`stock-${id}`)?.dataset.quantity;
            if (quantity !== undefined && !(quantity in seen)) seen[quantity] = Date.now();
          }).observe(document.body, { childList: true, subtree: true, attributes: true });
        }, variantId);

        const fromAnswer: number[] = [];
        const fromRequest: number[] = [];
        for (let quantity = ROUNDS - 1; quantity >= 0; quantity -= 1) {
          const sent = Date.now();
          const adjusted = await app.request('POST', '/v1/inventory/adjustments', {
            token: store.key,
            body: { variantId, delta: -1, reason: 'live stock test' },
          });
          const answered = Date.now();
          expect(adjusted.status).toBe(201);
          await page.waitForFunction(
            (wanted) =>
              (window as unknown as { stockSeen: Record<string, number> }).stockSeen[wanted] !==
              undefined,
            String(quantity),
          );
          const changed = await page.evaluate(
            (wanted) =>
              (window as unknown as { stockSeen: Record<string, number> }).stockSeen[wanted],
            String(quantity),
          );
          // From the answer (<= 0: the page changed before the client had read the answer) and
          // from the request.
          fromAnswer.push(changed - answered);
          fromRequest.push(changed - sent);
        }
        await page.locator(`#stock-${variantId}`).getByText('Sold out').waitFor();
        // Reported, not asserted: the design's target is p99 < 50 ms from the answer (docs/hosted-ui.md).
        console.log(
          `storefront live stock, ${ROUNDS} changes over REST: to the DOM change, from the REST answer ${spread(fromAnswer)}; from the request ${spread(fromRequest)}`,
        );
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
