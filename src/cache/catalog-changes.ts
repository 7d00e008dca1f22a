import type { EventEnvelope } from '../events/event-envelope';

/**
 * What a batch of committed events changed in the catalogue's cached answers: these products'
 * contents, and whether products came or went (`membership`), which moves every page boundary.
 */
export interface CatalogChange {
  readonly productIds: readonly string[];
  readonly membership: boolean;
}

/**
 * A product's own events name it, a stock change names the variant's product (orders take stock
 * through `inventory.updated` too); `product.created` and `product.deleted` change which products
 * a page holds. This mapping, and the check of an entry against the changes it depends on, are
 * the parts of the cache written by hand (the levels and the bus are bentocache's). Undefined when
 * nothing cached changed.
 */
export function catalogChangeOf(
  events: readonly EventEnvelope<object>[],
): CatalogChange | undefined {
  const ids = new Set<string>();
  let membership = false;
  for (const event of events) {
    const object = event.data.object as { id?: unknown; productId?: unknown };
    if (event.type.startsWith('product.') && typeof object.id === 'string') {
      ids.add(object.id);
      if (event.type === 'product.created' || event.type === 'product.deleted') membership = true;
    } else if (event.type === 'inventory.updated' && typeof object.productId === 'string')
      ids.add(object.productId);
  }
  return ids.size === 0 ? undefined : { productIds: [...ids], membership };
}
