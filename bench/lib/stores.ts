import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { ServerProcess } from '../../harness/server-process';
import { type LoadRequest, type LoadResult, runLoad, sendOnce } from './load';
import type { Fixture } from './seed';

export interface StoresSettings {
  /** Store schemas in the database for the large run (BENCH_STORES, default 10,000). */
  readonly stores: number;
  /** Store schemas for the small run. */
  readonly small: number;
  readonly connections: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Stores created at once through the platform API. */
  readonly creationConcurrency: number;
}

export interface StoresContext {
  readonly fixture: Fixture;
  readonly adminToken: string;
  /** The bench's database, to see when PostgreSQL's background work after the creation ends. */
  readonly databaseUrl: string;
  /** The full app with these environment variables, ready. */
  startApp(env: Record<string, string>): Promise<ServerProcess>;
  progress(message: string): void;
}

export interface StoresRun {
  readonly stores: number;
  readonly list: LoadResult;
  readonly byId: LoadResult;
}

export interface StoresFigures {
  readonly settings: StoresSettings;
  readonly small: StoresRun;
  readonly large: StoresRun;
  readonly created: number;
  readonly creationSeconds: number;
  /** How long autovacuum kept working after the creation, before the large run (capped). */
  readonly settleSeconds: number;
}

/** The issue's targets: throughput with 10,000 stores ≥ 0.9× that with 10, p99 ≤ 1.2×. */
export const STORES_TARGETS = { rpsRatio: 0.9, p99Ratio: 1.2 } as const;

/**
 * The same reads of one store (its first page, a product by id, response cache off so each one
 * reaches PostgreSQL) with few store schemas in the database and then with many, each on a fresh
 * process: what grows with the schemas (PostgreSQL's catalogue and plan caches per connection,
 * the key and host caches, the per-write fan-out lookup) shows as a ratio. The stores in between
 * are created through the platform API, as merchants' stores are, and their rate is reported.
 */
export async function measureStores(
  ctx: StoresContext,
  settings: StoresSettings,
): Promise<StoresFigures> {
  const env = { CACHE_MEMORY_MB: '0' };
  let app = await ctx.startApp(env);
  let small: StoresRun;
  let created: number;
  let creationSeconds: number;
  try {
    const existing = await storeCount(app, ctx.adminToken);
    await createStores(ctx, app, Math.max(0, settings.small - existing), settings);
    small = await readOneStore(ctx, app, settings, Math.max(existing, settings.small));
    const before = performance.now();
    created = await createStores(ctx, app, settings.stores - small.stores, settings);
    creationSeconds = (performance.now() - before) / 1000;
    ctx.progress(
      `[stores] created ${created} stores in ${creationSeconds.toFixed(1)} s (${(created / creationSeconds).toFixed(0)}/s)`,
    );
  } finally {
    await app.stop();
  }
  // Thousands of new tables keep autovacuum busy for a while: measure the steady state after it.
  const settleSeconds = await autovacuumDone(ctx.databaseUrl);
  ctx.progress(`[stores] autovacuum done ${settleSeconds.toFixed(0)} s after the creation`);
  app = await ctx.startApp(env);
  try {
    const large = await readOneStore(ctx, app, settings, await storeCount(app, ctx.adminToken));
    return { settings, small, large, created, creationSeconds, settleSeconds };
  } finally {
    await app.stop();
  }
}

async function readOneStore(
  ctx: StoresContext,
  app: ServerProcess,
  settings: StoresSettings,
  stores: number,
): Promise<StoresRun> {
  const headers = { authorization: `Bearer ${ctx.fixture.apiKey}` };
  const list: LoadRequest = { method: 'GET', path: '/v1/products?limit=50', headers };
  const byId: LoadRequest = {
    method: 'GET',
    path: `/v1/products/${ctx.fixture.productIds[0]}`,
    headers,
  };
  // Both routes warmed up before either is timed: a fresh process's first seconds (its pool's
  // connections opening, each one's catalogue cache filling) belong to neither route.
  for (const request of [list, byId]) {
    // The store's own answer, before anything is timed.
    const once = await sendOnce(app.url, request);
    if (once.status !== 200 || !once.text.includes(ctx.fixture.productIds[0]))
      throw new Error(`${request.path}: ${once.status} ${once.text.slice(0, 200)}`);
    await runLoad(app.url, request, {
      connections: settings.connections,
      seconds: settings.warmupSeconds,
    });
  }
  const measure = (request: LoadRequest) =>
    runLoad(app.url, request, { connections: settings.connections, seconds: settings.seconds });
  const run = { stores, list: await measure(list), byId: await measure(byId) };
  ctx.progress(
    `[stores] ${stores} stores: list ${run.list.rps.toFixed(0)}/s p99 ${run.list.p99.toFixed(1)} ms (${run.list.failures} failed), by id ${run.byId.rps.toFixed(0)}/s p99 ${run.byId.p99.toFixed(1)} ms (${run.byId.failures} failed)`,
  );
  return run;
}

/** Seconds until no autovacuum worker has run for 3 s in a row, at most 180. */
async function autovacuumDone(databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const started = performance.now();
  try {
    let quietSince: number | undefined;
    while (performance.now() - started < 180_000) {
      const { rows } = await client.query<{ workers: number }>(
        "SELECT count(*)::int AS workers FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'",
      );
      const now = performance.now();
      if (rows[0].workers > 0) quietSince = undefined;
      else if (quietSince === undefined) quietSince = now;
      else if (now - quietSince >= 3_000) return (quietSince - started) / 1000;
      await sleep(250);
    }
    return (performance.now() - started) / 1000;
  } finally {
    await client.end();
  }
}

async function storeCount(app: ServerProcess, adminToken: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: { data: unknown[]; nextCursor: string | null } = await fetchJson(
      app.url,
      adminToken,
      `/v1/platform/stores?limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    count += page.data.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

/** Creates `count` hosted stores through the platform API, `creationConcurrency` at a time. */
async function createStores(
  ctx: StoresContext,
  app: ServerProcess,
  count: number,
  settings: StoresSettings,
): Promise<number> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      await fetchJson(app.url, ctx.adminToken, '/v1/platform/stores', {
        name: `Bench filler ${index}`,
        handle: `filler-${Date.now().toString(36)}-${index}`,
        currency: 'USD',
        hosting: 'hosted',
      });
      done += 1;
      if (done % 1000 === 0) ctx.progress(`[stores] ${done}/${count} stores created`);
    }
  };
  await Promise.all(Array.from({ length: settings.creationConcurrency }, worker));
  return done;
}

async function fetchJson<T>(
  baseUrl: string,
  token: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The section's table; a missed target is marked in it, as in the other sections. */
export function storesReport(figures: StoresFigures): string[] {
  const { small, large } = figures;
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  const rows = [
    ['GET /v1/products?limit=50', small.list, large.list],
    ['GET /v1/products/{id}', small.byId, large.byId],
  ] as const;
  const lines = [
    '### Stores (full app, response cache off)',
    '',
    `The same reads of one store with ${small.stores} store schemas in the database and with ${large.stores}, each on a fresh process, ${figures.settings.connections} connections, ${figures.settings.seconds} s per route after ${figures.settings.warmupSeconds} s of warm-up of each. Targets: rps ratio ≥ ${STORES_TARGETS.rpsRatio}, p99 ratio ≤ ${STORES_TARGETS.p99Ratio}.`,
    '',
    `| route | ${small.stores} stores rps | p99 | ${large.stores} stores rps | p99 | rps ratio | p99 ratio | targets |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [route, few, many] of rows) {
    const rps = ratio(many.rps, few.rps);
    const p99 = ratio(many.p99, few.p99);
    const met = rps >= STORES_TARGETS.rpsRatio && p99 <= STORES_TARGETS.p99Ratio;
    lines.push(
      `| ${route} | ${few.rps.toFixed(0)} | ${few.p99.toFixed(1)} ms | ${many.rps.toFixed(0)} | ${many.p99.toFixed(1)} ms | ${rps.toFixed(2)} | ${p99.toFixed(2)} | ${met ? 'met' : 'MISSED'} |`,
    );
  }
  lines.push(
    '',
    `Stores created through \`POST /v1/platform/stores\` (${figures.settings.creationConcurrency} at a time): ${figures.created} in ${figures.creationSeconds.toFixed(1)} s, ${(figures.created / Math.max(figures.creationSeconds, 0.001)).toFixed(0)} per second. Autovacuum then worked for ${figures.settleSeconds.toFixed(0)} s (the large run starts after it, capped at 180 s).`,
  );
  return lines;
}
