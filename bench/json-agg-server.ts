/**
 * The strongest simple peer of the benchmark: plain Fastify and a `pg` Pool where PostgreSQL
 * builds each answer's JSON in one statement (`json_build_object` and `json_agg`, variants in a
 * correlated subquery), so a read is one round trip and no rows are mapped in JavaScript; pg parses
 * the `json` column and Fastify serialises it, which gives the app's bytes (the bench checks).
 * No Nest, no TypeORM, no authentication, tenancy or logging.
 *
 * - `GET /v1/products?limit=&cursor=`: keyset by id, limit + 1 rows, the page, whether there is
 *   more and the last id in the one statement; `Link: <…>; rel="next"` as the app sends;
 * - `GET /v1/products/{id}`: the product with its variants, and its version for the `ETag`;
 * - `PATCH /v1/products/{id}` with `{ "title" }`: one UPDATE that bumps the version and returns
 *   the product, for the bench's read/write mix (no events, webhooks or validation beyond that).
 *
 * With `BENCH_MEMO=1` it keeps every GET answer it sent (bytes and headers) in a Map by URL and
 * answers repeats from it before routing; a PATCH empties it. That is the ceiling of any cached
 * server in Node on this machine: a hit costs Fastify's request handling and the socket, nothing
 * else (no authentication, rate limits, logs or metrics).
 *
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

/** Timestamps as JavaScript's toISOString writes them (milliseconds, UTC, `Z`). */
const ISO = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The app's product resource (src/catalog/product.serializer.ts), with its key order. */
const PRODUCT_JSON = `json_build_object(
  'id', p.id, 'title', p.title, 'handle', p.handle, 'description', p.description,
  'status', p.status, 'tags', to_json(p.tags),
  'variants', COALESCE((
    SELECT json_agg(json_build_object(
      'id', v.id, 'sku', v.sku, 'title', v.title, 'price', v.price,
      'inventoryQuantity', v.inventory_quantity, 'version', v.version) ORDER BY v.position)
    FROM variants v WHERE v.product_id = p.id), '[]'::json),
  'version', p.version, 'createdAt', ${ISO('p.created_at')}, 'updatedAt', ${ISO('p.updated_at')})`;

const LIST = `
  WITH page AS (
    SELECT p.*, row_number() OVER (ORDER BY p.id) AS n
      FROM (SELECT * FROM products WHERE $2::text IS NULL OR id > $2 ORDER BY id LIMIT $1 + 1) p
  )
  SELECT COALESCE(json_agg(${PRODUCT_JSON} ORDER BY p.id) FILTER (WHERE p.n <= $1), '[]'::json) AS data,
         count(*) > $1 AS "hasMore",
         max(p.id) FILTER (WHERE p.n <= $1) AS "lastId"
    FROM page p`;

const ONE = `SELECT ${PRODUCT_JSON} AS product, p.version FROM products p WHERE p.id = $1`;

const RENAME = `UPDATE products p SET title = $2, version = p.version + 1, updated_at = now()
  WHERE p.id = $1 RETURNING ${PRODUCT_JSON} AS product, p.version`;

const { app, pool, publicUrl, start } = createPeer('dukkadee-bench-json-agg');

interface Memo {
  readonly body: string;
  readonly headers: Record<string, string>;
}
const memo = process.env.BENCH_MEMO === '1' ? new Map<string, Memo>() : undefined;
if (memo) {
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET') return memo.clear();
    const kept = memo.get(request.url);
    if (kept) return reply.headers(kept.headers).send(kept.body);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method === 'GET' && reply.statusCode === 200 && typeof payload === 'string') {
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
      for (const name of ['etag', 'link']) {
        const value = reply.getHeader(name);
        if (typeof value === 'string') headers[name] = value;
      }
      memo.set(request.url, { body: payload, headers });
    }
    return payload;
  });
}

app.get<{ Querystring: Record<string, string | string[] | undefined> }>(
  '/v1/products',
  async (request, reply) => {
    const query = listQuery(request.query);
    if (typeof query === 'string') return badRequest(reply, query);
    const { rows } = await pool.query<{ data: unknown[]; hasMore: boolean; lastId: string | null }>(
      LIST,
      [query.limit, query.after ?? null],
    );
    const { data, hasMore, lastId } = rows[0];
    const nextCursor = hasMore && lastId !== null ? encodeCursor(lastId) : null;
    linkNext(reply, request.url, publicUrl, nextCursor);
    return { data, nextCursor };
  },
);

app.get<{ Params: { id: string } }>('/v1/products/:id', async (request, reply) => {
  const id = request.params.id;
  if (!PRODUCT_ID.test(id)) return notFound(reply);
  const { rows } = await pool.query<{ product: unknown; version: number }>(ONE, [id]);
  if (rows.length === 0) return notFound(reply);
  void reply.header('ETag', `"${rows[0].version}"`);
  return rows[0].product;
});

app.patch<{ Params: { id: string }; Body: { title?: unknown } }>(
  '/v1/products/:id',
  async (request, reply) => {
    const id = request.params.id;
    if (!PRODUCT_ID.test(id)) return notFound(reply);
    const title = request.body?.title;
    if (typeof title !== 'string' || title.length === 0) return badRequest(reply, 'title');
    const { rows } = await pool.query<{ product: unknown; version: number }>(RENAME, [id, title]);
    if (rows.length === 0) return notFound(reply);
    void reply.header('ETag', `"${rows[0].version}"`);
    return rows[0].product;
  },
);

start();
