import type { EventEnvelope } from '../../events/event-envelope';
import type { EventType } from '../../events/event-catalog';
import { productStockView } from './product.controller';

const PRODUCT = 'prod_01jw3e5m8c4t9h2k7q6r0v1x2y';
const OTHER = 'prod_01jw3e5m8c4t9h2k7q6r0v1x2z';
const VARIANT = 'var_01jw3e5m8c4t9h2k7q6r0v1x2y';

function event(type: EventType, object: object): EventEnvelope<object> {
  return {
    id: 'evt_01jw3e5m8c4t9h2k7q6r0v1x2y',
    type,
    createdAt: new Date().toISOString(),
    storeId: 'store_01jw3e5m8c4t9h2k7q6r0v1x2y',
    apiVersion: '2026-01',
    data: { object },
  };
}

describe('the product page live view', () => {
  const view = productStockView(PRODUCT);

  it("replaces the variant's stock badge on a stock change of this product", () => {
    const updates = view(
      event('inventory.updated', {
        variantId: VARIANT,
        productId: PRODUCT,
        sku: 'A',
        inventoryQuantity: 0,
      }),
    );
    expect(updates).toEqual([
      {
        swap: 'replace',
        html: `<span id="stock-${VARIANT}" class="badge bad" data-quantity="0">Sold out</span>`,
      },
    ]);
  });

  it('changes nothing for another product, or for events that are not stock', () => {
    expect(
      view(
        event('inventory.updated', {
          variantId: VARIANT,
          productId: OTHER,
          sku: 'A',
          inventoryQuantity: 3,
        }),
      ),
    ).toEqual([]);
    expect(view(event('product.updated', { id: OTHER, variants: [] }))).toEqual([]);
    expect(view(event('order.created', { id: 'ord_x' }))).toEqual([]);
  });

  it('redraws every variant of this product when the product is edited', () => {
    const updates = view(
      event('product.updated', {
        id: PRODUCT,
        variants: [{ id: VARIANT, inventoryQuantity: 4 }],
      }),
    );
    expect(updates).toHaveLength(1);
    expect(updates[0].html).toContain('In stock');
  });
});
