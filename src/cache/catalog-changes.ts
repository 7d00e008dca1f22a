import type { EventEnvelope } from '../events/event-envelope';

/**
 * The products whose cached answers a batch of committed events changes: a product's own events
 * name it, a stock change names the variant's product (orders take stock through
 * `inventory.updated` too). Every store list is affected by any of them, which the caller knows.
 * This mapping is the only part of the cache written by hand (the levels, the bus and the tags are
 * bentocache's).
 */
export function productsChangedBy(events: readonly EventEnvelope<object>[]): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    const object = event.data.object as { id?: unknown; productId?: unknown };
    if (event.type.startsWith('product.') && typeof object.id === 'string') ids.add(object.id);
    else if (event.type === 'inventory.updated' && typeof object.productId === 'string')
      ids.add(object.productId);
  }
  return [...ids];
}
