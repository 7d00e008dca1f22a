/**
 * The "raw" baseline of the benchmark: the two products reads written directly on plain Fastify
 * and a `pg` Pool, with no Nest, no TypeORM, no authentication, tenancy or logging, in the same
 * two statements the app runs. It answers the same JSON as the app, byte for byte (the benchmark
 * checks), so the app's throughput can be put against what the same queries cost without the
 * framework:
 *
 * - `GET /v1/products?limit=&cursor=`: keyset by id, one statement for the page (limit + 1 rows)
 *   and one for its variants (`product_id = ANY($1)`), `Link: <…>; rel="next"` as the app sends;
 * - `GET /v1/products/{id}`: the product and its variants in two statements, `ETag: "<version>"`.
 *
 * json-agg-server.ts is the stronger peer: one statement per read, the JSON built by PostgreSQL.
 * Environment: see lib/peer-server.ts.
 */
import {
  badRequest,
  createPeer,
  encodeCursor,
  linkNext,
  listQuery,
  notFound,
  PRODUCT_ID,
} from './lib/peer-server';

interface ProductRow {
  id: string;
  title: string;
  handle: string;
  description: string;
  status: string;
  tags: string[];
  version: number;
  created_at: Date;
  updated_at: Date;
}

interface VariantRow {
  id: string;
  product_id: string;
  sku: string;
  title: string;
  /** bigint: pg answers a string. */
  price: string;
  inventory_quantity: number;
  version: number;
}

const PRODUCT_COLUMNS =
  'id, title, handle, description, status, tags, version, created_at, updated_at';
const VARIANT_COLUMNS = 'id, product_id, sku, title, price, inventory_quantity, version';

const { app, pool, publicUrl, start } = createPeer('dukkadee-bench-raw');

app.get<{ Querystring: Record<string, string | string[] | undefined> }>(
  '/v1/products',
  async (request, reply) => {
    const query = listQuery(request.query);
    if (typeof query === 'string') return badRequest(reply, query);
    const { limit, after } = query;
    const { rows } = await pool.query<ProductRow>(
      after === undefined
        ? `SELECT ${PRODUCT_COLUMNS} FROM products ORDER BY id LIMIT $1`
        : `SELECT ${PRODUCT_COLUMNS} FROM products WHERE id > $2 ORDER BY id LIMIT $1`,
      after === undefined ? [limit + 1] : [limit + 1, after],
    );
    const hasMore = rows.length > limit;
    const page = hasMore ? rows.slice(0, limit) : rows;
    const variants = await variantsOf(page.map((product) => product.id));
    const nextCursor = hasMore ? encodeCursor(page[page.length - 1].id) : null;
    linkNext(reply, request.url, publicUrl, nextCursor);
    return {
      data: page.map((product) => serializeProduct(product, variants.get(product.id) ?? [])),
      nextCursor,
    };
  },
);

app.get<{ Params: { id: string } }>('/v1/products/:id', async (request, reply) => {
  const id = request.params.id;
  const { rows } = PRODUCT_ID.test(id)
    ? await pool.query<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE id = $1`, [id])
    : { rows: [] as ProductRow[] };
  if (rows.length === 0) return notFound(reply);
  const variants = await variantsOf([id]);
  void reply.header('ETag', `"${rows[0].version}"`);
  return serializeProduct(rows[0], variants.get(id) ?? []);
});

async function variantsOf(productIds: string[]): Promise<Map<string, VariantRow[]>> {
  const byProduct = new Map<string, VariantRow[]>();
  if (productIds.length === 0) return byProduct;
  const { rows } = await pool.query<VariantRow>(
    `SELECT ${VARIANT_COLUMNS} FROM variants WHERE product_id = ANY($1) ORDER BY product_id, position`,
    [productIds],
  );
  for (const variant of rows) {
    const list = byProduct.get(variant.product_id);
    if (list) list.push(variant);
    else byProduct.set(variant.product_id, [variant]);
  }
  return byProduct;
}

/** The app's product resource (src/catalog/product.serializer.ts), with its key order. */
function serializeProduct(product: ProductRow, variants: readonly VariantRow[]) {
  return {
    id: product.id,
    title: product.title,
    handle: product.handle,
    description: product.description,
    status: product.status,
    tags: product.tags,
    variants: variants.map((variant) => ({
      id: variant.id,
      sku: variant.sku,
      title: variant.title,
      price: Number(variant.price),
      inventoryQuantity: variant.inventory_quantity,
      version: variant.version,
    })),
    version: product.version,
    createdAt: product.created_at.toISOString(),
    updatedAt: product.updated_at.toISOString(),
  };
}

start();
