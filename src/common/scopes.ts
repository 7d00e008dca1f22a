/** Every scope a credential can hold (CONTRACT.md, Credentials). */
export const SCOPES = [
  'read_products',
  'write_products',
  'read_customers',
  'write_customers',
  'read_orders',
  'write_orders',
  'read_inventory',
  'write_inventory',
  'read_webhooks',
  'write_webhooks',
  'read_events',
  'sync',
] as const;

export type Scope = (typeof SCOPES)[number];

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/**
 * What each scope lets an app do, in the merchant's words: the consent page lists them, and the
 * OpenAPI document's OAuth scheme.
 */
export const SCOPE_DESCRIPTIONS: Readonly<Record<Scope, string>> = {
  read_products: 'See your products, variants and prices',
  write_products: 'Create, change and delete your products',
  read_customers: 'See your customers and their contact details',
  write_customers: 'Create, change and delete your customers',
  read_orders: 'See your orders',
  write_orders: 'Create, pay, fulfil and cancel orders',
  read_inventory: 'See your stock levels',
  write_inventory: 'Change your stock levels',
  read_webhooks: 'See the webhook subscriptions it made',
  write_webhooks: 'Subscribe to your store’s events by webhook',
  read_events: 'Read your store’s event history',
  sync: 'Keep a self-hosted copy of your store in step',
};
