import type { EventType } from '../events/event-catalog';

/** What the change feed carries; push takes the first three (orders are the platform's). */
export const SYNC_RESOURCES = ['product', 'customer', 'inventory', 'order'] as const;
export type SyncResource = (typeof SYNC_RESOURCES)[number];

export const PUSHABLE_RESOURCES = ['product', 'customer', 'inventory'] as const;
export type PushableResource = (typeof PUSHABLE_RESOURCES)[number];

/** The event types that record each resource's changes, and which of them delete it. */
export const RESOURCE_EVENTS: Record<
  SyncResource,
  { readonly types: readonly EventType[]; readonly deletes?: EventType }
> = {
  product: {
    types: ['product.created', 'product.updated', 'product.deleted'],
    deletes: 'product.deleted',
  },
  customer: {
    types: ['customer.created', 'customer.updated', 'customer.deleted'],
    deletes: 'customer.deleted',
  },
  inventory: { types: ['inventory.updated'] },
  order: {
    types: ['order.created', 'order.updated', 'order.paid', 'order.fulfilled', 'order.cancelled'],
  },
};

export function resourceOfEvent(type: string): SyncResource | undefined {
  return SYNC_RESOURCES.find((resource) =>
    (RESOURCE_EVENTS[resource].types as readonly string[]).includes(type),
  );
}
