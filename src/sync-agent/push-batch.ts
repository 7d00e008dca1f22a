import { createHash } from 'node:crypto';
import type { SyncChange } from '../sync/sync-changes.service';
import type { PushableResource } from '../sync/sync-resources';
import type { PushBatch, PushChange } from './platform-client';

/** What the agent pushes; orders go the other way. */
export const PUSHED_RESOURCES: readonly PushableResource[] = ['product', 'customer', 'inventory'];

/** The platform's limit on one batch (MAX_BATCH_CHANGES), so the local page size too. */
export const MAX_BATCH = 500;

/** The local id the platform knows a resource by: its own id, and the SKU for stock levels. */
export function externalIdOf(change: SyncChange): string {
  return change.resource === 'inventory' ? String(change.data.sku) : change.id;
}

function keyOf(change: SyncChange): string {
  return `${change.resource}:${externalIdOf(change)}`;
}

/**
 * One change per resource: the latest, since each carries the whole resource, at the place of
 * the first, so that a product created in the batch still comes before the stock levels of its
 * SKUs that followed its creation (a later edit of the product must not push it behind them).
 */
export function collapse(changes: readonly SyncChange[]): SyncChange[] {
  const latest = new Map<string, SyncChange>();
  for (const change of changes) latest.set(keyOf(change), change);
  const seen = new Set<string>();
  const collapsed: SyncChange[] = [];
  for (const change of changes) {
    const key = keyOf(change);
    if (seen.has(key)) continue;
    seen.add(key);
    collapsed.push(latest.get(key)!);
  }
  return collapsed;
}

/**
 * The push item for a local change: the body REST creates the resource with, or a deletion.
 * `baseVersion` is the platform version last seen for it, null before its first push.
 */
export function toPushChange(change: SyncChange, baseVersion: number | null): PushChange {
  const resource = change.resource as PushableResource;
  const externalId = externalIdOf(change);
  if (change.op === 'delete') return { resource, externalId, baseVersion, deleted: true, data: {} };
  return { resource, externalId, baseVersion, data: bodyOf(resource, change.data) };
}

function bodyOf(resource: PushableResource, object: Record<string, unknown>) {
  switch (resource) {
    case 'product':
      return productBody(object);
    case 'customer':
      return customerBody(object);
    case 'inventory':
      return { sku: object.sku, inventoryQuantity: object.inventoryQuantity };
  }
}

/**
 * Every field, cleared ones included (`""`, as the local store shows "none"): the push carries
 * the whole resource, and a field left out would mean "unchanged" (CONTRACT.md, Sync conflicts).
 */
function productBody(product: Record<string, unknown>): Record<string, unknown> {
  return {
    title: product.title,
    handle: product.handle,
    description: product.description,
    status: product.status,
    tags: product.tags,
    variants: (product.variants as Record<string, unknown>[]).map((variant) => ({
      sku: variant.sku,
      title: variant.title,
      price: variant.price,
      inventoryQuantity: variant.inventoryQuantity,
    })),
  };
}

function customerBody(customer: Record<string, unknown>): Record<string, unknown> {
  return {
    email: customer.email,
    firstName: customer.firstName,
    lastName: customer.lastName,
    phone: customer.phone,
  };
}

/**
 * A batch id that the same local changes always get again: the store, the span of the local
 * feed they came from (after `from`, up to the change `to`), and a digest of the items. After a
 * crash between the platform applying a batch and the checkpoint moving past it, the agent reads
 * the same span again, builds the same batch, and the platform replays its first answer instead
 * of applying anything twice.
 */
export function batchFor(
  storeId: string,
  span: { from: string | null; to: string },
  changes: readonly PushChange[],
): PushBatch {
  const digest = createHash('sha256').update(JSON.stringify(changes)).digest('base64url');
  return {
    batchId: `${storeId}:${span.from ?? 'start'}-${span.to}:${digest.slice(0, 16)}`,
    changes,
  };
}
