import type { EventEnvelope } from '../events/event-envelope';
import { catalogChangeOf } from './catalog-changes';

const event = (type: string, object: object) =>
  ({
    id: 'evt_1',
    type,
    createdAt: '2026-12-03T00:00:00.000Z',
    storeId: 'store_1',
    apiVersion: '2025-01',
    data: { object },
  }) as unknown as EventEnvelope<object>;

describe('catalogChangeOf', () => {
  it('names products by their own events and by stock changes, once each', () => {
    expect(
      catalogChangeOf([
        event('product.updated', { id: 'prod_a' }),
        event('inventory.updated', { variantId: 'var_1', productId: 'prod_b', sku: 'B' }),
      ]),
    ).toEqual({ productIds: ['prod_a', 'prod_b'], membership: false });
  });

  it('says products came or went when one is created or deleted', () => {
    expect(catalogChangeOf([event('product.created', { id: 'prod_a' })])).toEqual({
      productIds: ['prod_a'],
      membership: true,
    });
    expect(
      catalogChangeOf([
        event('product.updated', { id: 'prod_a' }),
        event('product.deleted', { id: 'prod_b' }),
      ]),
    ).toEqual({ productIds: ['prod_a', 'prod_b'], membership: true });
  });

  it('ignores what does not change a product answer', () => {
    expect(
      catalogChangeOf([
        event('order.created', { id: 'ord_1', lineItems: [] }),
        event('customer.updated', { id: 'cus_1' }),
      ]),
    ).toBeUndefined();
  });
});
