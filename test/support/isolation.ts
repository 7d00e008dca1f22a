import { seedProduct } from './seed';
import type { TestApp } from './test-app';

/**
 * Seeds one product in each of two stores, fires interleaved list requests with both keys at
 * once, and checks every response holds only its own store's product.
 */
export async function expectInterleavedStoresIsolated(
  app: TestApp,
  requests: number,
): Promise<void> {
  const a = await app.createStore(['read_products']);
  const b = await app.createStore(['read_products']);
  await seedProduct(app, a.storeId, { title: `Only in ${a.storeId}` });
  await seedProduct(app, b.storeId, { title: `Only in ${b.storeId}` });
  const responses = await Promise.all(
    Array.from({ length: requests }, (_, i) => {
      const store = i % 2 === 0 ? a : b;
      return app
        .request('GET', '/v1/products', { token: store.key })
        .then((response) => ({ store, response }));
    }),
  );
  for (const { store, response } of responses) {
    expect(response.status).toBe(200);
    expect(response.body.data.map((p: { title: string }) => p.title)).toEqual([
      `Only in ${store.storeId}`,
    ]);
  }
}
