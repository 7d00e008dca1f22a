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
