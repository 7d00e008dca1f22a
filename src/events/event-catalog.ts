import type { Scope } from '../auth/scopes';

/**
 * Every event type and the read scope needed to receive it, whatever the channel: the event list,
 * webhooks, GraphQL subscriptions and the sync feed all filter with this one table.
 */
export const EVENT_CATALOG = {
  'product.created': { scope: 'read_products' },
  'product.updated': { scope: 'read_products' },
  'product.deleted': { scope: 'read_products' },
  'customer.created': { scope: 'read_customers' },
  'customer.updated': { scope: 'read_customers' },
  'customer.deleted': { scope: 'read_customers' },
  'order.created': { scope: 'read_orders' },
  'order.updated': { scope: 'read_orders' },
  'order.paid': { scope: 'read_orders' },
  'order.fulfilled': { scope: 'read_orders' },
  'order.cancelled': { scope: 'read_orders' },
  'inventory.updated': { scope: 'read_inventory' },
  'webhook_subscription.disabled': { scope: 'read_webhooks' },
} as const satisfies Record<string, { scope: Scope }>;

export type EventType = keyof typeof EVENT_CATALOG;

export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

/**
 * The `sync` scope reads every change the sync feed carries (catalogue, customers, stock,
 * orders), so its holder also receives their events: a sync agent listens for orders in real
 * time with the same key it syncs with.
 */
const SYNCED_SCOPES: readonly Scope[] = [
  'read_products',
  'read_customers',
  'read_orders',
  'read_inventory',
];

/** The event types a holder of these scopes may see. */
export function visibleEventTypes(scopes: ReadonlySet<Scope>): EventType[] {
  return EVENT_TYPES.filter((type) => {
    const scope = EVENT_CATALOG[type].scope;
    return scopes.has(scope) || (scopes.has('sync') && SYNCED_SCOPES.includes(scope));
  });
}
