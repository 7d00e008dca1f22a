import type { SyncChange } from '../sync/sync-changes.service';
import { batchFor, collapse, toPushChange } from './push-batch';

let sequence = 0;
function change(
  resource: SyncChange['resource'],
  id: string,
  data: Record<string, unknown>,
  op: SyncChange['op'] = 'upsert',
): SyncChange {
  sequence += 1;
  return { cursor: `c${sequence}`, resource, id, externalId: null, op, version: null, data };
}

const product = (title: string) => ({
  id: 'prod_1',
  title,
  handle: 'mug',
  description: '',
  status: 'active',
  tags: [],
  variants: [{ id: 'var_1', sku: 'MUG', title: '', price: 1200, inventoryQuantity: 3, version: 1 }],
  version: 2,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('collapse', () => {
  it('keeps the latest change of each resource, where its first one was', () => {
    const created = change('product', 'prod_1', product('Mug'));
    const stock = change('inventory', 'var_1', {
      variantId: 'var_1',
      sku: 'MUG',
      inventoryQuantity: 2,
    });
    const renamed = change('product', 'prod_1', product('Big mug'));
    const customer = change('customer', 'cus_1', { id: 'cus_1', email: 'a@example.com' });
    const stockAgain = change('inventory', 'var_1', {
      variantId: 'var_1',
      sku: 'MUG',
      inventoryQuantity: 1,
    });
    expect(collapse([created, stock, renamed, customer, stockAgain])).toEqual([
      renamed,
      stockAgain,
      customer,
    ]);
  });
});

describe('toPushChange', () => {
  it('turns a product into the body REST creates it with, keyed by the local id', () => {
    expect(toPushChange(change('product', 'prod_1', product('Mug')), 4)).toEqual({
      resource: 'product',
      externalId: 'prod_1',
      baseVersion: 4,
      data: {
        title: 'Mug',
        handle: 'mug',
        description: '',
        status: 'active',
        tags: [],
        variants: [{ sku: 'MUG', title: '', price: 1200, inventoryQuantity: 3 }],
      },
    });
  });

  it('pushes a cleared field as cleared rather than leaving it out', () => {
    const pushed = toPushChange(
      change('customer', 'cus_1', {
        id: 'cus_1',
        email: 'a@example.com',
        firstName: 'Ann',
        lastName: '',
        phone: '',
        version: 1,
      }),
      null,
    );
    expect(pushed.data).toStrictEqual({
      email: 'a@example.com',
      firstName: 'Ann',
      lastName: '',
      phone: '',
    });
  });

  it('keys stock levels by SKU and sends deletions without a body', () => {
    expect(
      toPushChange(
        change('inventory', 'var_1', {
          variantId: 'var_1',
          productId: 'prod_1',
          sku: 'MUG',
          inventoryQuantity: 7,
        }),
        null,
      ),
    ).toEqual({
      resource: 'inventory',
      externalId: 'MUG',
      baseVersion: null,
      data: { sku: 'MUG', inventoryQuantity: 7 },
    });
    expect(toPushChange(change('product', 'prod_1', product('Mug'), 'delete'), 3)).toEqual({
      resource: 'product',
      externalId: 'prod_1',
      baseVersion: 3,
      deleted: true,
      data: {},
    });
  });
});

describe('batchFor', () => {
  it('names the same changes from the same span the same way, and others differently', () => {
    const items = [toPushChange(change('product', 'prod_1', product('Mug')), null)];
    const first = batchFor('store_1', { from: null, to: 'abc' }, items);
    expect(batchFor('store_1', { from: null, to: 'abc' }, items).batchId).toBe(first.batchId);
    expect(first.batchId).toMatch(/^store_1:start-abc:/);
    const other = [toPushChange(change('product', 'prod_1', product('Cup')), null)];
    expect(batchFor('store_1', { from: null, to: 'abc' }, other).batchId).not.toBe(first.batchId);
  });
});
