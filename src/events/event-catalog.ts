import type { Type } from '@nestjs/common';
import type { Scope } from '../common/scopes';
import { ProductResource } from '../catalog/product.serializer';
import { CustomerResource } from '../customers/customer.serializer';
import { InventoryLevelResource } from '../inventory/inventory-level.serializer';
import { OrderResource } from '../orders/order.serializer';
import { WebhookSubscriptionResource } from '../webhooks/webhook.serializer';

interface CatalogEntry {
  /** The read scope needed to receive the event. */
  readonly scope: Scope;
  /**
   * The class of `data.object` in v1: the REST response class whose serializer builds the
   * payload, so the event's published schema is the REST resource's (event-types.ts).
   */
  readonly resource: Type<unknown>;
}

/**
 * Every event type, the read scope needed to receive it and its payload's resource, whatever the
 * channel: the event list, webhooks, GraphQL subscriptions and the sync feed all filter with this
 * one table, and `GET /v1/event-types` publishes it.
 */
export const EVENT_CATALOG = {
  'product.created': { scope: 'read_products', resource: ProductResource },
  'product.updated': { scope: 'read_products', resource: ProductResource },
  'product.deleted': { scope: 'read_products', resource: ProductResource },
  'customer.created': { scope: 'read_customers', resource: CustomerResource },
  'customer.updated': { scope: 'read_customers', resource: CustomerResource },
  'customer.deleted': { scope: 'read_customers', resource: CustomerResource },
  'order.created': { scope: 'read_orders', resource: OrderResource },
  'order.updated': { scope: 'read_orders', resource: OrderResource },
  'order.paid': { scope: 'read_orders', resource: OrderResource },
  'order.fulfilled': { scope: 'read_orders', resource: OrderResource },
  'order.cancelled': { scope: 'read_orders', resource: OrderResource },
  'inventory.updated': { scope: 'read_inventory', resource: InventoryLevelResource },
  'webhook_subscription.disabled': {
    scope: 'read_webhooks',
    resource: WebhookSubscriptionResource,
  },
} as const satisfies Record<string, CatalogEntry>;

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
