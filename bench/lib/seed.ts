import { Client, escapeIdentifier } from 'pg';
import { newId } from '../../src/common/ids';
import { storeSchemaName } from '../../src/database/store-schema';
import type { LoadRequest } from './load';

export interface SeedOptions {
  readonly products: number;
  readonly variantsPerProduct: number;
  /** Stock of the one variant of the extra product that the order scenarios buy from. */
  readonly orderStock: number;
  /** The store's handle; `bench` by default (a second store needs another). */
  readonly handle?: string;
}

/** What the scenarios need to address the seeded data. */
export interface Fixture {
  readonly storeId: string;
  /** The store's PostgreSQL schema (its id, validated). */
  readonly schema: string;
  /** Bearer key of the store with `read_products` only. */
  readonly apiKey: string;
  /** Bearer key of the store with `read_products` and `write_products`: what edits products. */
  readonly catalogApiKey: string;
  /** Bearer key of the store with `read_products`, `read_orders` and `write_orders`. */
  readonly ordersApiKey: string;
  /**
   * Bearer key of the store with `read_orders`, `read_webhooks` and `write_webhooks`: what creates
   * (and deletes) the webhook subscriptions to order topics.
   */
  readonly webhooksApiKey: string;
  /** Product ids of the catalog in id (list) order, without the stock product. */
  readonly productIds: readonly string[];
  /**
   * The single variant of one more product, created after the catalog (so last in id order and
   * never on the first list pages), with `orderStock` units: what the order scenarios buy.
   */
  readonly stockVariant: { readonly id: string; readonly price: number; readonly stock: number };
}

/**
 * Creates a store, a `read_products` key, a catalog key, an orders key and a webhooks key through the platform API of a running
 * full app, then inserts products and variants into the store's schema with parameterised SQL (one
 * transaction, hundreds of products at once), and the stock product the orders buy from.
 */
export async function seed(
  appUrl: string,
  adminToken: string,
  databaseUrl: string,
  options: SeedOptions,
): Promise<Fixture> {
  const store = await post<{ id: string }>(appUrl, adminToken, '/v1/platform/stores', {
    name: 'Bench Store',
    handle: options.handle ?? 'bench',
    currency: 'USD',
    hosting: 'hosted',
  });
  const key = await post<{ key: string }>(
    appUrl,
    adminToken,
    `/v1/platform/stores/${encodeURIComponent(store.id)}/api-keys`,
    { name: 'bench', scopes: ['read_products'] },
  );
  const catalogKey = await post<{ key: string }>(
    appUrl,
    adminToken,
    `/v1/platform/stores/${encodeURIComponent(store.id)}/api-keys`,
    { name: 'bench catalog', scopes: ['read_products', 'write_products'] },
  );
  const ordersKey = await post<{ key: string }>(
    appUrl,
    adminToken,
    `/v1/platform/stores/${encodeURIComponent(store.id)}/api-keys`,
    { name: 'bench orders', scopes: ['read_products', 'read_orders', 'write_orders'] },
  );
  const webhooksKey = await post<{ key: string }>(
    appUrl,
    adminToken,
    `/v1/platform/stores/${encodeURIComponent(store.id)}/api-keys`,
    { name: 'bench webhooks', scopes: ['read_orders', 'read_webhooks', 'write_webhooks'] },
  );
  const { productIds, stockVariant } = await insertCatalog(databaseUrl, store.id, options);
  return {
    storeId: store.id,
    schema: storeSchemaName(store.id),
    apiKey: key.key,
    catalogApiKey: catalogKey.key,
    ordersApiKey: ordersKey.key,
    webhooksApiKey: webhooksKey.key,
    productIds,
    stockVariant,
  };
}

/** The order the order scenarios create: one unit of the stock variant, with the orders key. */
export function stockOrderRequest(fixture: Fixture): LoadRequest {
  return {
    method: 'POST',
    path: '/v1/orders',
    headers: { authorization: `Bearer ${fixture.ordersApiKey}` },
    body: JSON.stringify({
      email: 'bench@example.com',
      lineItems: [{ variantId: fixture.stockVariant.id, quantity: 1 }],
    }),
  };
}

async function insertCatalog(
  databaseUrl: string,
  storeId: string,
  { products, variantsPerProduct, orderStock }: SeedOptions,
): Promise<Pick<Fixture, 'productIds' | 'stockVariant'>> {
  // The id is checked against the id grammar before it becomes an identifier, and quoted anyway.
  const schema = escapeIdentifier(storeSchemaName(storeId));
  const product = { id: [] as string[], title: [] as string[], handle: [] as string[] };
  const variant = {
    id: [] as string[],
    productId: [] as string[],
    position: [] as number[],
    sku: [] as string[],
    title: [] as string[],
    price: [] as number[],
    inventory: [] as number[],
  };
  const sizes = ['Small', 'Medium', 'Large', 'X-Large', 'XX-Large'];
  for (let p = 0; p < products; p++) {
    const id = newId('prod');
    const number = String(p + 1).padStart(4, '0');
    product.id.push(id);
    product.title.push(`Bench product ${number}`);
    product.handle.push(`bench-product-${number}`);
    for (let v = 0; v < variantsPerProduct; v++) {
      variant.id.push(newId('var'));
      variant.productId.push(id);
      variant.position.push(v);
      variant.sku.push(`BENCH-${number}-${v + 1}`);
      variant.title.push(sizes[v % sizes.length]);
      variant.price.push(1000 + 250 * v + p);
      variant.inventory.push(100);
    }
  }
  // Ids are monotonic in this process: the stock product sorts after every catalog product.
  const productIds = [...product.id];
  const stockProductId = newId('prod');
  const stockVariant = { id: newId('var'), price: 1500, stock: orderStock };
  product.id.push(stockProductId);
  product.title.push('Bench stock product');
  product.handle.push('bench-stock-product');
  variant.id.push(stockVariant.id);
  variant.productId.push(stockProductId);
  variant.position.push(0);
  variant.sku.push('BENCH-STOCK');
  variant.title.push('');
  variant.price.push(stockVariant.price);
  variant.inventory.push(orderStock);
  const client = new Client({ connectionString: databaseUrl, application_name: 'dk-bench-seed' });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO ${schema}.products (id, title, handle, description, status, tags)
       SELECT id, title, handle, $4, 'active', $5::text[]
         FROM unnest($1::text[], $2::text[], $3::text[]) AS t (id, title, handle)`,
      [
        product.id,
        product.title,
        product.handle,
        'A product seeded by the benchmark, with a description of a realistic length for a list.',
        ['bench', 'seed'],
      ],
    );
    await client.query(
      `INSERT INTO ${schema}.variants (id, product_id, position, sku, title, price, inventory_quantity)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::bigint[], $7::int[])`,
      [
        variant.id,
        variant.productId,
        variant.position,
        variant.sku,
        variant.title,
        variant.price,
        variant.inventory,
      ],
    );
    await client.query('COMMIT');
    await client.query(`ANALYZE ${schema}.products, ${schema}.variants`);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
  return { productIds, stockVariant };
}

async function post<T>(baseUrl: string, token: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}
