import type { EventEnvelope } from '../events/event-envelope';
import { productsChangedBy } from './catalog-changes';

const event = (type: string, object: object) =>
  ({
    id: 'evt_1',
    type,
    createdAt: '2026-12-03T00:00:00.000Z',
    storeId: 'store_1',
    apiVersion: '2025-01',
    data: { object },
  }) as unknown as EventEnvelope<object>;

describe('productsChangedBy', () => {
  it('names products by their own events and by stock changes, once each', () => {
    expect(
      productsChangedBy([
        event('product.updated', { id: 'prod_a' }),
        event('inventory.updated', { variantId: 'var_1', productId: 'prod_b', sku: 'B' }),
        event('product.deleted', { id: 'prod_a' }),
      ]),
    ).toEqual(['prod_a', 'prod_b']);
  });

  it('ignores what does not change a product answer', () => {
    expect(
      productsChangedBy([
        event('order.created', { id: 'ord_1', lineItems: [] }),
        event('customer.updated', { id: 'cus_1' }),
      ]),
    ).toEqual([]);
  });
});
