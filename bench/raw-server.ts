/**
 * The "raw" baseline of the benchmark: the two products reads written directly on plain Fastify
 * and a `pg` Pool, with no Nest, no TypeORM, no authentication, tenancy or logging. It answers the
 * same JSON as the app, byte for byte (the benchmark checks), so the app's throughput can be put
 * against what the same queries cost without the framework:
 *
 * - `GET /v1/products?limit=&cursor=`: keyset by id, one statement for the page (limit + 1 rows)
 *   and one for its variants (`product_id = ANY($1)`), `Link: <…>; rel="next"` as the app sends;
 * - `GET /v1/products/{id}`: the product and its variants in two statements, `ETag: "<version>"`.
 *
 * The pool sets `search_path` to the store's schema when it connects; statements are parameterised
 * but not named (not server-side prepared), as the app's are.
 *
 * Environment: DATABASE_URL, BENCH_STORE_SCHEMA (a validated store id), PORT, HOST,
 * DATABASE_POOL_SIZE, PUBLIC_URL.
 */
import Fastify, { FastifyReply } from 'fastify';
import { Pool } from 'pg';

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
const PRODUCT_ID = /^prod_[0-9a-z]{26}$/;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 250;

const databaseUrl = requiredEnv('DATABASE_URL');
const schema = requiredEnv('BENCH_STORE_SCHEMA');
// The schema becomes part of a connection option: accept nothing but a store id.
if (!/^store_[0-9a-z]{26}$/.test(schema)) throw new Error('BENCH_STORE_SCHEMA is not a store id');
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const publicUrl = process.env.PUBLIC_URL ?? `http://localhost:${port}`;

const pool = new Pool({
  connectionString: databaseUrl,
  max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
  application_name: 'dukkadee-bench-raw',
  connectionTimeoutMillis: 5000,
  options: `-c search_path=${schema}`,
});

const app = Fastify({ logger: false, routerOptions: { maxParamLength: 256 } });

app.get<{ Querystring: Record<string, string | string[] | undefined> }>(
  '/v1/products',
  async (request, reply) => {
    const { limit: rawLimit, cursor, ...rest } = request.query;
    const limit = rawLimit === undefined ? DEFAULT_LIMIT : Number(rawLimit);
    if (
      Object.keys(rest).length > 0 ||
      !Number.isInteger(limit) ||
      limit < 1 ||
      limit > MAX_LIMIT ||
      (cursor !== undefined && typeof cursor !== 'string')
    ) {
      return badRequest(reply, 'Invalid query.');
    }
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (after === null) return badRequest(reply, 'The cursor is not one this list issued.');
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
    if (nextCursor !== null) {
      const url = new URL(request.url, publicUrl);
      url.searchParams.set('cursor', nextCursor);
      void reply.header('Link', `<${url.toString()}>; rel="next"`);
    }
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
  if (rows.length === 0) {
    return reply
      .code(404)
      .type('application/problem+json; charset=utf-8')
      .send({ status: 404, code: 'not_found', detail: 'No such product.' });
  }
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

/** The app's cursor: the key of the last item shown, as base64url JSON. */
function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify([id])).toString('base64url');
}

/** The id a cursor holds, or null for anything `encodeCursor` did not make. */
function decodeCursor(cursor: string): string | null {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(key) && key.length === 1 && typeof key[0] === 'string' ? key[0] : null;
  } catch {
    return null;
  }
}

function badRequest(reply: FastifyReply, detail: string): FastifyReply {
  return reply
    .code(400)
    .type('application/problem+json; charset=utf-8')
    .send({ status: 400, code: 'validation_failed', detail });
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  await pool.query('SELECT 1');
  await app.listen({ port, host });
  const stop = () => {
    app
      .close()
      .then(() => pool.end())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
