/**
 * What the bench's plain peers (raw-server.ts, json-agg-server.ts) share: their environment, a
 * pg Pool on the store's schema, the app's cursor and problem answers, and a clean stop. Only the
 * way each builds its answer differs, so the comparison between them is about that alone.
 */
import Fastify, { FastifyInstance, FastifyReply } from 'fastify';
import { Pool } from 'pg';

export const PRODUCT_ID = /^prod_[0-9a-z]{26}$/;
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 250;

export interface Peer {
  readonly app: FastifyInstance;
  readonly pool: Pool;
  readonly publicUrl: string;
  /** Listens, and stops cleanly on SIGTERM or SIGINT. */
  start(): void;
}

/**
 * A peer on plain Fastify and a `pg` Pool whose connections set `search_path` to the store's
 * schema (BENCH_STORE_SCHEMA); statements are parameterised but not named, as the app's are.
 * Environment: DATABASE_URL, BENCH_STORE_SCHEMA, PORT, HOST, DATABASE_POOL_SIZE, PUBLIC_URL.
 */
export function createPeer(applicationName: string): Peer {
  const schema = requiredEnv('BENCH_STORE_SCHEMA');
  // The schema becomes part of a connection option: accept nothing but a store id.
  if (!/^store_[0-9a-z]{26}$/.test(schema)) throw new Error('BENCH_STORE_SCHEMA is not a store id');
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  const pool = new Pool({
    connectionString: requiredEnv('DATABASE_URL'),
    max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
    application_name: applicationName,
    connectionTimeoutMillis: 5000,
    options: `-c search_path=${schema}`,
  });
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 256 } });
  const start = () => {
    pool
      .query('SELECT 1')
      .then(() => app.listen({ port, host }))
      .catch(fail);
    const stop = () => {
      app
        .close()
        .then(() => pool.end())
        .then(() => process.exit(0), fail);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  };
  return { app, pool, publicUrl: process.env.PUBLIC_URL ?? `http://localhost:${port}`, start };
}

/** The list's query as the app accepts it (`limit`, `cursor`), or the 400 it answers. */
export function listQuery(
  query: Record<string, string | string[] | undefined>,
): { limit: number; after: string | undefined } | string {
  const { limit: rawLimit, cursor, ...rest } = query;
  const limit = rawLimit === undefined ? DEFAULT_LIMIT : Number(rawLimit);
  if (
    Object.keys(rest).length > 0 ||
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > MAX_LIMIT ||
    (cursor !== undefined && typeof cursor !== 'string')
  )
    return 'Invalid query.';
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  if (after === null) return 'The cursor is not one this list issued.';
  return { limit, after };
}

/** `Link: <…>; rel="next"` as the app sends it, when there is a next page. */
export function linkNext(
  reply: FastifyReply,
  requestUrl: string,
  publicUrl: string,
  nextCursor: string | null,
): void {
  if (nextCursor === null) return;
  const url = new URL(requestUrl, publicUrl);
  url.searchParams.set('cursor', nextCursor);
  void reply.header('Link', `<${url.toString()}>; rel="next"`);
}

/** The app's cursor: the key of the last item shown, as base64url JSON. */
export function encodeCursor(id: string): string {
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

export function badRequest(reply: FastifyReply, detail: string): FastifyReply {
  return reply
    .code(400)
    .type('application/problem+json; charset=utf-8')
    .send({ status: 400, code: 'validation_failed', detail });
}

export function notFound(reply: FastifyReply): FastifyReply {
  return reply
    .code(404)
    .type('application/problem+json; charset=utf-8')
    .send({ status: 404, code: 'not_found', detail: 'No such product.' });
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

function fail(error: unknown): never {
  console.error(error);
  process.exit(1);
}
