/**
 * `npm run bench`: throughput and latency of the products routes on the full app, on a "bare"
 * app without authentication, tenancy and logging, and on a "raw" server (plain Fastify and pg,
 * no Nest, no TypeORM), with their ratios; the full app's p99 at a steady request rate; order
 * creation throughput on the full app (with a check of the orders it left); the full app's time
 * to ready and its idle memory; GraphQL on a full app of its own (cost bucket out of the way): the
 * product page over GraphQL beside REST and raw, the latency of a subscription event at a steady
 * low rate of PATCHes, the fan-out of events to 1,000 subscribed WebSockets and the RSS per idle
 * socket; webhook delivery on the full app: deliveries per second from a
 * queued backlog to a local receiver (in a process of its own) and the latency from an order's
 * 201 to its `order.created` webhook at a steady low rate (receiver in this process); OAuth on a
 * full app of its own: the token endpoint's rate for client_credentials and for refresh_token
 * (refresh chains, one per connection, from authorization codes), and an OAuth access token
 * against an API key on the product routes (closed loop and the steady rate above). Servers run
 * as child processes; autocannon and the WebSocket clients run here.
 *
 * Uses the PostgreSQL server of DATABASE_URL when set (creating and dropping `dk_bench_*`
 * databases on it), an embedded one in a temporary directory otherwise.
 *
 * Tunables: BENCH_SECONDS (measured per target and cell, default 10), BENCH_ROUNDS (alternating
 * slices those seconds are split into, default 5), BENCH_WARMUP_SECONDS (default 2),
 * BENCH_CONNECTIONS (default "1,50", for the scenarios that do not fix theirs), BENCH_RESTARTS
 * (time-to-ready samples, default 3), BENCH_TARGETS (default "full,cold,bare,raw,json-agg,memo"; "all" adds the
 * attribution targets bare-tx and full-nolog), BENCH_BEFORE (a git ref, e.g. HEAD~1: adds the
 * target "before", the full app built from that commit, and the ratio full/before, so that a
 * change is measured against the commit before it in the same run), BENCH_APP_ENV
 * ("NAME=value,…": environment every server under test gets on top of the bench's), BENCH_SECTIONS (default
 * "http,cache,graphql,webhooks,oauth,ui": the autocannon tables, the response cache's memory while a
 * large store is paged through, the GraphQL section, the webhook section, the OAuth section and the
 * hosted pages; startup and memory are always measured).
 * Cache memory ("cache"): BENCH_CACHE_PRODUCTS (default 10000), BENCH_CACHE_MEMORY_MB (the app's
 * CACHE_MEMORY_MB there, default 8, less than what is read; a second run has the cache off).
 * GraphQL: BENCH_GRAPHQL_CONNECTIONS (product page rows, default "1,50"), BENCH_GRAPHQL_SECONDS
 * (measured per target and row, in BENCH_ROUNDS slices after 1 s of warm-up, default 5),
 * BENCH_GRAPHQL_LATENCY_RATE (PATCHes per second, one at a time, default 20),
 * BENCH_GRAPHQL_LATENCY_SECONDS (default 10), BENCH_GRAPHQL_SUBSCRIBERS (WebSockets of the
 * fan-out, default 1000), BENCH_GRAPHQL_FANOUT_EVENTS (one every 500 ms, default 10).
 * Webhooks: BENCH_WEBHOOK_DELIVERIES (queued for the throughput run, default 10000),
 * BENCH_WEBHOOK_SUBSCRIPTIONS (to order.created, default 10), BENCH_WEBHOOK_LATENCY_RATE (orders
 * per second, one at a time, default 20), BENCH_WEBHOOK_LATENCY_SECONDS (default 10),
 * BENCH_CPU_PROF_DIR (when set, the webhook section's dispatching app and the GraphQL section's app
 * run with `node --cpu-prof` and write their profiles there).
 * OAuth: BENCH_OAUTH_TOKEN_CONNECTIONS (token endpoint rows, default "20,50"), BENCH_OAUTH_SECONDS
 * (token endpoint, measured per grant and row in 1 s slices, default 3), BENCH_OAUTH_API_SECONDS
 * (key against token at 50 connections, per credential and route, default 2),
 * BENCH_OAUTH_LATENCY_SECONDS (key against token at the steady rate, default 4).
 * Hosted pages ("ui"): BENCH_UI_SECONDS (per page and load, default 10), BENCH_UI_RATE (the steady
 * rate, default 100 requests per second).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import {
  HOT_PAGES,
  MixTally,
  PAGE_SIZE,
  pagePath,
  pageRotation,
  productRotation,
  readWriteMix,
} from './lib/catalog-mix';
import { BenchDatabaseServer } from './lib/database';
import { Client, escapeIdentifier } from 'pg';
import { alternateLoads, LoadRequest, LoadResult, LoadShape, sendOnce } from './lib/load';
import { Fixture, seed, stockOrderRequest } from './lib/seed';
import { runUiBench, UiSettings, uiReport } from './lib/ui';
import { freePort } from '../harness/ports';
import { ServerProcess } from '../harness/server-process';
import {
  Column,
  describeLoad,
  formatMs,
  formatNumber,
  RatioColumn,
  renderTable,
  throughputTable,
  MEASURE_COLUMNS,
} from './lib/table';
import { cacheMemoryReport, measureCacheMemory } from './lib/cache-memory';
import { GraphqlSettings, graphqlReport, runGraphqlBench } from './lib/graphql';
import { runWebhookBench, webhookReport, WebhookSettings } from './lib/webhooks';
import { OAuthSettings, oauthReport, runOAuthBench } from './lib/oauth';
import { buildBefore } from './lib/before-build';

// ---------------------------------------------------------------------------------------------
// What is measured: add targets, scenarios and ratios here.
// ---------------------------------------------------------------------------------------------

const ROUNDS = Math.round(positiveNumber('BENCH_ROUNDS', 5));

/** The fixed-rate latency scenario (full app), which the OAuth section runs too. */
const STEADY = { rate: 200, connections: 10, p99Ms: 100, minShare: 0.98 } as const;
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROF_DIR
  ? resolve(process.env.BENCH_CPU_PROF_DIR)
  : undefined;

const SETTINGS = {
  /** Measured seconds per target and cell, split into `rounds` alternating slices. */
  seconds: positiveNumber('BENCH_SECONDS', 10),
  rounds: ROUNDS,
  warmupSeconds: positiveNumber('BENCH_WARMUP_SECONDS', 2),
  pauseMs: 300,
  connections: connectionCounts(process.env.BENCH_CONNECTIONS ?? '1,50'),
  restarts: positiveNumber('BENCH_RESTARTS', 3),
  settleMs: 2000,
  poolSize: 10,
  // The hot set is the first 10 pages of 50; the rest are read by nobody.
  seed: { products: 600, variantsPerProduct: 3, orderStock: 10_000_000 },
  /** Warm-up of a `drain` scenario, in requests per connection (it runs by count, not time). */
  drainWarmupRequests: 20,
  webhooks: {
    deliveries: Math.round(positiveNumber('BENCH_WEBHOOK_DELIVERIES', 10_000)),
    subscriptions: Math.round(positiveNumber('BENCH_WEBHOOK_SUBSCRIPTIONS', 10)),
    orderConnections: 20,
    latencyRate: positiveNumber('BENCH_WEBHOOK_LATENCY_RATE', 20),
    latencySeconds: positiveNumber('BENCH_WEBHOOK_LATENCY_SECONDS', 10),
    latencyWarmupSeconds: 1,
    cpuProfileDir: CPU_PROFILE_DIR,
  } satisfies WebhookSettings,
  graphql: {
    connections: connectionCounts(process.env.BENCH_GRAPHQL_CONNECTIONS ?? '1,50'),
    seconds: positiveNumber('BENCH_GRAPHQL_SECONDS', 5),
    rounds: ROUNDS,
    warmupSeconds: 1,
    pauseMs: 300,
    latencyRate: positiveNumber('BENCH_GRAPHQL_LATENCY_RATE', 20),
    latencySeconds: positiveNumber('BENCH_GRAPHQL_LATENCY_SECONDS', 10),
    latencyWarmupSeconds: 1,
    subscribers: Math.round(positiveNumber('BENCH_GRAPHQL_SUBSCRIBERS', 1000)),
    openConcurrency: 100,
    fanoutEvents: Math.round(positiveNumber('BENCH_GRAPHQL_FANOUT_EVENTS', 10)),
    eventIntervalMs: 500,
    idleMs: 2000,
    cpuProfileDir: CPU_PROFILE_DIR,
  } satisfies GraphqlSettings,
  oauth: {
    tokenConnections: connectionCounts(process.env.BENCH_OAUTH_TOKEN_CONNECTIONS ?? '20,50'),
    tokenSeconds: positiveNumber('BENCH_OAUTH_SECONDS', 3),
    tokenWarmupRequests: 10,
    apiConnections: 50,
    apiSeconds: positiveNumber('BENCH_OAUTH_API_SECONDS', 2),
    apiWarmupSeconds: 1,
    steady: STEADY,
    steadySeconds: positiveNumber('BENCH_OAUTH_LATENCY_SECONDS', 4),
    pauseMs: 200,
  } satisfies OAuthSettings,
  cacheMemory: {
    products: Math.round(positiveNumber('BENCH_CACHE_PRODUCTS', 10_000)),
    budgetMiB: positiveNumber('BENCH_CACHE_MEMORY_MB', 8),
    passes: 2,
    concurrency: 20,
  },
  ui: {
    connections: 50,
    seconds: positiveNumber('BENCH_UI_SECONDS', 10),
    rounds: ROUNDS,
    rate: positiveNumber('BENCH_UI_RATE', 100),
    orders: 50,
  } satisfies UiSettings,
} as const;

/** BENCH_APP_ENV ("NAME=value,NAME=value"): settings every server under test gets on top. */
const APP_ENV: Readonly<Record<string, string>> = Object.fromEntries(
  (process.env.BENCH_APP_ENV ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);

/** BENCH_SECTIONS: what runs besides the startup and memory figures. */
const SECTIONS = selectSections(
  process.env.BENCH_SECTIONS ?? 'http,cache,graphql,webhooks,oauth,ui',
);

const TARGETS_OF_STARTUP = { readyMs: 3000, idleRssMiB: 150 } as const;

interface Bench {
  readonly root: string;
  readonly workDir: string;
  readonly databaseUrl: string;
  readonly secrets: { readonly adminToken: string; readonly encryptionKey: string };
  readonly fixture: Fixture;
  /** The full app, already started by the startup measurements. */
  readonly fullApp: ServerProcess;
}

interface TargetDefinition {
  readonly name: string;
  readonly description: string;
  /** Runs only when named in BENCH_TARGETS. */
  readonly optional?: boolean;
  /** Starts the server (or answers one already running) and waits until it serves. */
  start(bench: Bench): Promise<ServerProcess>;
  /** Headers every request to this target carries (its credential). */
  headers(fixture: Fixture): Record<string, string>;
}

interface Scenario {
  /** The route, as the tables show it. */
  readonly name: string;
  /**
   * The table it is reported in, one row per target and cell, with its goal. Without one, it is
   * in the throughput table: the targets side by side, with the ratios.
   */
  readonly section?: string;
  /** Its request; headers given here win over the target's (a scenario's own credential). */
  request(fixture: Fixture): LoadRequest;
  /**
   * Checks one response before measuring. All targets must also answer the same body, byte for
   * byte, so a scenario whose answers differ by design (a created order) runs on one target only.
   */
  check?(body: unknown, fixture: Fixture): string | undefined;
  /** Targets to run it on; all by default. */
  readonly targets?: readonly string[];
  /** Connection counts, one cell each; SETTINGS.connections by default. */
  readonly connections?: readonly number[];
  /**
   * Requests per second, evenly spaced whatever the answers do (an open loop, bench/lib/paced-load.ts),
   * over at most `connections` keep-alive connections.
   */
  readonly rate?: number;
  /** The only status that counts as an answer (e.g. 201); any 2xx by default. */
  readonly status?: number;
  /** Seconds of warm-up per target and cell; SETTINGS.warmupSeconds by default. */
  readonly warmupSeconds?: number;
  /**
   * Runs by request count rather than by time, so that every request sent is answered and
   * counted: for writes that `verify` counts afterwards. The warm-up is
   * SETTINGS.drainWarmupRequests per connection; each measured run sends as many requests as the
   * warm-up's rate gets through in its seconds.
   */
  readonly drain?: boolean;
  /** The issue's goal for each figure of a `section` table: why it is missed, or undefined. */
  readonly goal?: { readonly label: string; miss(result: LoadResult): string | undefined };
  /**
   * After its last cell, checks what the load left in the store. `counted` is every answer with
   * the counted status that it got, check and warm-ups included.
   */
  verify?(bench: Bench, counted: number): Promise<Verification>;
}

interface Verification {
  readonly ok: boolean;
  readonly lines: readonly string[];
}

const TARGETS: readonly TargetDefinition[] = [
  {
    name: 'full',
    description:
      'node dist/src/main.js: API-key auth, a transaction with set_config per request, access log at info',
    start: async (bench) => bench.fullApp,
    headers: (fixture) => ({ authorization: `Bearer ${fixture.apiKey}` }),
  },
  {
    name: 'cold',
    description:
      'the full app with CACHE_MEMORY_MB=0: no response cache, every read from PostgreSQL (the miss path)',
    async start(bench) {
      const server = await startFullApp(bench, 'cold', 'info', { CACHE_MEMORY_MB: '0' });
      await server.waitUntilReady('/health/ready');
      return server;
    },
    headers: (fixture) => ({ authorization: `Bearer ${fixture.apiKey}` }),
  },
  {
    name: 'bare',
    description:
      'bench/bare-server.ts: same ProductsService and controller; fixed context, search_path set at connect, no logging',
    start: (bench) => startBareServer(bench, 'bare', 'off'),
    headers: () => ({}),
  },
  {
    name: 'raw',
    description:
      'bench/raw-server.ts: plain Fastify and pg (Pool), no Nest, no TypeORM; the same two statements per read, search_path set at connect, no auth, no logging',
    start: (bench) =>
      startBenchServer(bench, 'raw', 'dist/bench/raw-server.js', {
        BENCH_STORE_SCHEMA: bench.fixture.schema,
      }),
    headers: () => ({}),
  },
  {
    name: 'json-agg',
    description:
      'bench/json-agg-server.ts: plain Fastify and pg (Pool), the JSON built by PostgreSQL in one statement per read (json_agg), search_path set at connect, no auth, no logging: the strongest simple peer',
    start: (bench) =>
      startBenchServer(bench, 'json-agg', 'dist/bench/json-agg-server.js', {
        BENCH_STORE_SCHEMA: bench.fixture.schema,
      }),
    headers: () => ({}),
  },
  {
    name: 'memo',
    description:
      'json-agg with BENCH_MEMO=1: every GET answer kept in a Map by URL and sent again before routing, no auth, no logging: the ceiling of a cached server in Node here',
    start: (bench) =>
      startBenchServer(bench, 'memo', 'dist/bench/json-agg-server.js', {
        BENCH_STORE_SCHEMA: bench.fixture.schema,
        BENCH_MEMO: '1',
      }),
    headers: () => ({}),
  },
  // BENCH_BEFORE: the full app of another commit, side by side with this one.
  {
    name: 'before',
    optional: true,
    description: `the full app built from ${process.env.BENCH_BEFORE ?? 'BENCH_BEFORE'} (same environment, same database)`,
    async start(bench) {
      const ref = process.env.BENCH_BEFORE!;
      progress(`building ${ref} for the "before" target`);
      const build = buildBefore(bench.root, ref, bench.workDir);
      onCleanup(async () => build.remove());
      const server = await startFullApp({ ...bench, root: build.root }, `before-${build.commit}`);
      await server.waitUntilReady('/health/ready');
      return server;
    },
    headers: (fixture) => ({ authorization: `Bearer ${fixture.apiKey}` }),
  },
  // Opt-in (BENCH_TARGETS), to attribute the overhead: tenancy alone, and the full app unlogged.
  {
    name: 'bare-tx',
    optional: true,
    description: 'bare plus tenancy: the real TransactionalConnection (BEGIN, set_config, COMMIT)',
    start: (bench) => startBareServer(bench, 'bare-tx', 'transaction'),
    headers: () => ({}),
  },
  {
    name: 'full-nolog',
    optional: true,
    description: 'the full app with LOG_LEVEL=silent (hooks and metrics still on)',
    async start(bench) {
      const server = await startFullApp(bench, 'nolog', 'silent');
      await server.waitUntilReady('/health/ready');
      return server;
    },
    headers: (fixture) => ({ authorization: `Bearer ${fixture.apiKey}` }),
  },
];

const PRODUCT_LIST: Pick<Scenario, 'name' | 'request' | 'check'> = {
  name: `GET /v1/products?limit=50 (pages 1–${HOT_PAGES} in turn)`,
  request: (fixture) => ({
    method: 'GET',
    path: pagePath(fixture, 0),
    conversation: pageRotation(fixture),
  }),
  check: (body) => {
    const page = body as { data?: { variants?: unknown[] }[]; nextCursor?: unknown };
    if (page.data?.length !== 50) return `expected 50 products, got ${page.data?.length}`;
    if (!page.data.every((product) => product.variants?.length === 3))
      return 'expected 3 variants on every product';
    if (typeof page.nextCursor !== 'string') return 'expected a next cursor';
    return undefined;
  },
};

const PRODUCT: Pick<Scenario, 'name' | 'request' | 'check'> = {
  name: `GET /v1/products/{id} (the ${HOT_PAGES * PAGE_SIZE} products of those pages in turn)`,
  request: (fixture) => ({
    method: 'GET',
    path: `/v1/products/${fixture.productIds[Math.floor(fixture.productIds.length / 2)]}`,
    conversation: productRotation(fixture),
  }),
  check: (body, fixture) => {
    const product = body as { id?: string; variants?: unknown[] };
    if (!fixture.productIds.includes(product.id ?? '')) return 'not a seeded product';
    if (product.variants?.length !== 3) return 'expected 3 variants';
    return undefined;
  },
};

const STEADY_RATE = {
  section: `Latency at a steady ${STEADY.rate} requests per second (full app)`,
  targets: ['full'],
  rate: STEADY.rate,
  // Evenly spaced (one every 5 ms), over at most 10 keep-alive connections.
  connections: [STEADY.connections],
  // The full app has just served these routes in the throughput cells.
  warmupSeconds: 0,
  goal: {
    label: `p99 < ${STEADY.p99Ms} ms at ≥ ${STEADY.minShare * 100}% of ${STEADY.rate}/s`,
    miss: (result: LoadResult) =>
      result.rps < STEADY.minShare * STEADY.rate
        ? `rate reached ${formatNumber(result.rps)}/s`
        : result.p99 >= STEADY.p99Ms
          ? `p99 ${formatMs(result.p99)} ms`
          : undefined,
  },
} as const satisfies Partial<Scenario>;

/** A paced load is one request over and over: the first page, and one product. */
const steady = (scenario: Pick<Scenario, 'name' | 'request' | 'check'>): Scenario => ({
  ...scenario,
  ...STEADY_RATE,
  name: scenario.name.replace(/ \(.*\)$/, ''),
  request: (fixture) => ({ ...scenario.request(fixture), conversation: undefined }),
});

const MIX_TALLY: MixTally = { writes: 0, readsAfterWrite: 0, stale: 0 };

const READ_WRITE_MIX: Scenario = {
  name: `95% reads of those pages and products, 5% PATCH of their titles`,
  targets: ['full', 'cold', 'json-agg'],
  connections: [50],
  request: (fixture) => ({
    method: 'GET',
    path: pagePath(fixture, 0),
    // The catalogue key: the writes need write_products (json-agg ignores it).
    headers: { authorization: `Bearer ${fixture.catalogApiKey}` },
    conversation: readWriteMix(fixture, MIX_TALLY),
  }),
  verify: async () => ({
    ok: MIX_TALLY.writes > 0 && MIX_TALLY.stale === 0,
    lines: [
      `${MIX_TALLY.writes} PATCHes, each followed on its connection by a read of the product and of its page: ` +
        `${MIX_TALLY.readsAfterWrite} such reads, ${MIX_TALLY.stale} stale` +
        (MIX_TALLY.firstStale ? ` (first: ${MIX_TALLY.firstStale})` : ''),
    ],
  }),
};

const SCENARIOS: readonly Scenario[] = [
  PRODUCT_LIST,
  PRODUCT,
  READ_WRITE_MIX,
  steady(PRODUCT_LIST),
  steady(PRODUCT),
  {
    name: 'POST /v1/orders (1 unit of one variant)',
    section: 'Order creation (full app; counts 201 answers only)',
    targets: ['full'],
    connections: [20, 50],
    status: 201,
    drain: true,
    request: stockOrderRequest,
    check: (body, fixture) => {
      const order = body as {
        number?: unknown;
        total?: unknown;
        lineItems?: { variantId?: string; quantity?: number }[];
      };
      if (!Number.isInteger(order.number)) return 'expected an order number';
      if (order.lineItems?.length !== 1 || order.lineItems[0].variantId !== fixture.stockVariant.id)
        return 'expected one line of the stock variant';
      if (order.total !== fixture.stockVariant.price) return 'expected the variant price as total';
      return undefined;
    },
    goal: {
      label: '≥ 300 orders/s',
      miss: (result) => (result.rps >= 300 ? undefined : `${formatNumber(result.rps)}/s`),
    },
    verify: verifyOrders,
  },
];

const RATIOS: readonly RatioColumn[] = [
  { label: 'cold/bare', numerator: 'cold', denominator: 'bare', atLeast: 0.8 },
  { label: 'full/raw', numerator: 'full', denominator: 'raw' },
  {
    // The cached reads (the same request over and over: hot), against the strongest simple peer.
    label: 'full/json-agg',
    numerator: 'full',
    denominator: 'json-agg',
    atLeast: 3,
    targetFor: { label: 'hot reads c=50', applies: (row) => isRead(row) && row.connections === 50 },
  },
  {
    label: 'full/json-agg, mix',
    numerator: 'full',
    denominator: 'json-agg',
    atLeast: 1.5,
    targetFor: { label: 'the mix', applies: (row) => row.route === READ_WRITE_MIX.name },
  },
  {
    // How much of the ceiling the full app's hit path reaches.
    label: 'full/memo',
    numerator: 'full',
    denominator: 'memo',
  },
  {
    // The miss path's floor.
    label: 'cold/json-agg',
    numerator: 'cold',
    denominator: 'json-agg',
    atLeast: 0.6,
    targetFor: { label: 'reads c=50', applies: (row) => isRead(row) && row.connections === 50 },
  },
  { label: 'full/before', numerator: 'full', denominator: 'before' },
  { label: 'bare-tx/bare', numerator: 'bare-tx', denominator: 'bare' },
  { label: 'full/full-nolog', numerator: 'full', denominator: 'full-nolog' },
];

function isRead(row: { route: string }): boolean {
  return row.route === PRODUCT_LIST.name || row.route === PRODUCT.name;
}

/** BENCH_TARGETS=full,bare,bare-tx (or "all"); the non-optional targets by default. */
const SELECTED_TARGETS = selectTargets(process.env.BENCH_TARGETS);
const SELECTED_RATIOS = RATIOS.filter((ratio) =>
  [ratio.numerator, ratio.denominator].every((name) =>
    SELECTED_TARGETS.some((target) => target.name === name),
  ),
);

// ---------------------------------------------------------------------------------------------

interface Cell {
  readonly scenario: Scenario;
  readonly connections: number;
  readonly results: Map<string, LoadResult>;
}

interface StartupFigures {
  readonly firstStartMs: number;
  readonly readyMs: number[];
  readonly idleRssMiB: number;
}

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;

/** Registers what `cleanUp` undoes (last registered, first undone); runs it at once if too late. */
function onCleanup(cleanup: () => Promise<void>): void {
  if (cleaning) void cleanup().catch(() => undefined);
  else cleanups.push(cleanup);
}

function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => console.error(`[bench] cleanup: ${String(error)}`));
    }
  })();
  return cleaning;
}

function progress(message: string): void {
  console.error(`[bench] ${message}`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const root = resolve(__dirname, '..', '..');
  const workDir = mkdtempSync(join(tmpdir(), 'dk-bench-'));
  onCleanup(async () => rmSync(workDir, { recursive: true, force: true }));
  const secrets = {
    adminToken: `dk_admin_${randomBytes(24).toString('base64url')}`,
    encryptionKey: randomBytes(32).toString('base64'),
  };

  progress(
    process.env.DATABASE_URL ? 'using the DATABASE_URL server' : 'starting embedded PostgreSQL',
  );
  const database = await BenchDatabaseServer.open(process.env.DATABASE_URL);
  onCleanup(() => database.close());
  const postgresVersion = await database.version();
  const databaseUrl = await database.createDatabase();

  // 1. First start on an empty database (platform migrations included), then seed through it.
  const partial = { root, workDir, databaseUrl, secrets };
  let full = await startFullApp(partial, 'first');
  const firstStartMs = await full.waitUntilReady('/health/ready');
  progress(`first start on an empty database: ready in ${firstStartMs.toFixed(0)} ms`);
  const fixture = await seed(full.url, secrets.adminToken, databaseUrl, SETTINGS.seed);
  progress(
    `seeded store ${fixture.storeId}: ${SETTINGS.seed.products} products × ${SETTINGS.seed.variantsPerProduct} variants`,
  );
  await full.stop();

  // 2. Restarts on the migrated database: time to ready; the last one stays up for the load.
  const readyMs: number[] = [];
  for (let run = 1; run <= SETTINGS.restarts; run++) {
    full = await startFullApp(partial, `restart-${run}`);
    readyMs.push(await full.waitUntilReady('/health/ready'));
    progress(`restart ${run}: ready in ${readyMs[readyMs.length - 1].toFixed(0)} ms`);
    if (run < SETTINGS.restarts) await full.stop();
  }
  const readyAt = performance.now();
  const bench: Bench = { ...partial, fixture, fullApp: full };

  // 3. The other targets start while the full app settles; idle RSS once it has sat for 2 s.
  const servers = new Map<string, ServerProcess>();
  for (const target of SECTIONS.has('http') ? SELECTED_TARGETS : []) {
    servers.set(target.name, await target.start(bench));
  }
  await sleep(Math.max(0, readyAt + SETTINGS.settleMs - performance.now()));
  const idleRssMiB = full.rssMiB();
  const referenceRss = [...servers]
    .filter(([, server]) => server !== full)
    .map(([name, server]) => ({ name, rss: server.rssMiB() }));
  progress(`full app idle RSS ${idleRssMiB.toFixed(1)} MiB`);

  // 4. Every scenario answers the same, valid body on every target before anything is timed.
  const scenarios = SECTIONS.has('http') ? SCENARIOS : [];
  const counted = new Map<Scenario, number>();
  for (const scenario of scenarios)
    counted.set(scenario, await checkScenario(scenario, servers, fixture));

  // 5. Load: per scenario and connection count, every target warmed up, then measured in short
  //    slices that alternate between the targets (alternateLoads). A scenario that checks what it
  //    wrote does so after its last cell.
  const cells: Cell[] = [];
  const verifications: { scenario: Scenario; verification: Verification }[] = [];
  for (const scenario of scenarios) {
    const count = (result: LoadResult) =>
      counted.set(scenario, (counted.get(scenario) ?? 0) + result.ok);
    for (const connections of scenario.connections ?? SETTINGS.connections) {
      const label = `${scenario.section ? `[${scenario.section}] ` : ''}${scenario.name} c=${connections}`;
      const runs = targetsOf(scenario).map((target) => ({
        name: target.name,
        url: servers.get(target.name)!.url,
        request: withHeaders(scenario.request(fixture), target.headers(fixture)),
      }));
      const results = await alternateLoads(runs, {
        seconds: SETTINGS.seconds,
        rounds: SETTINGS.rounds,
        pauseMs: SETTINGS.pauseMs,
        warmup: warmupShape(scenario, connections),
        slice: (seconds, warmup) => sliceShape(scenario, connections, seconds, warmup),
        onLoad: count,
      });
      for (const [name, result] of results) progress(`${label} ${name}: ${describeLoad(result)}`);
      cells.push({ scenario, connections, results });
    }
    if (scenario.verify) {
      const verification = await scenario.verify(bench, counted.get(scenario) ?? 0);
      verifications.push({ scenario, verification });
      for (const line of verification.lines) progress(`${scenario.name}: ${line}`);
    }
  }
  const loadedRssMiB = full.rssMiB();

  // 6. GraphQL, webhooks and OAuth, each on a quiet machine with servers of its own: the servers
  //    above stop (the full app would dispatch too). A failure there still leaves the tables
  //    above to print.
  if (
    ['graphql', 'webhooks', 'oauth', 'ui', 'cache'].some((section) => SECTIONS.has(section as 'ui'))
  )
    for (const server of new Set([full, ...servers.values()])) await server.stop();
  let graphqlSection: { lines: readonly string[]; ok: boolean } | undefined;
  if (SECTIONS.has('graphql')) {
    try {
      const figures = await runGraphqlBench(
        {
          fixture,
          startApp: (label, env, nodeArgs) => startFullApp(partial, label, 'info', env, nodeArgs),
          startPeer: () => TARGETS.find((target) => target.name === 'json-agg')!.start(bench),
          progress,
        },
        SETTINGS.graphql,
      );
      graphqlSection = graphqlReport(figures);
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      progress(`graphql failed: ${text}`);
      graphqlSection = { ok: false, lines: ['FAILED:', '', '```', text, '```'] };
    }
  }
  let cacheMemoryLines: string[] | undefined;
  if (SECTIONS.has('cache')) {
    const figures = await measureCacheMemory(
      {
        seedStore: (appUrl, products) =>
          seed(appUrl, secrets.adminToken, databaseUrl, {
            ...SETTINGS.seed,
            products,
            handle: 'bench-memory',
          }),
        startApp: async (env) => {
          const server = await startFullApp(partial, 'cache-memory', 'info', env);
          await server.waitUntilReady('/health/ready');
          return server;
        },
        progress,
      },
      SETTINGS.cacheMemory,
    );
    cacheMemoryLines = cacheMemoryReport(figures);
    if (!figures.withinTarget) progress('cache memory: growth beyond the budget + 50 MiB');
  }
  let webhookSection: { lines: readonly string[]; ok: boolean } | undefined;
  if (SECTIONS.has('webhooks')) {
    try {
      const figures = await runWebhookBench(
        {
          root,
          workDir,
          databaseUrl,
          fixture,
          startApp: (label, env, nodeArgs) => startFullApp(partial, label, 'info', env, nodeArgs),
          onCleanup,
          progress,
        },
        SETTINGS.webhooks,
      );
      webhookSection = webhookReport(figures);
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      progress(`webhooks failed: ${text}`);
      webhookSection = { ok: false, lines: ['FAILED:', '', '```', text, '```'] };
    }
  }
  let oauthSection: { lines: readonly string[]; ok: boolean } | undefined;
  if (SECTIONS.has('oauth')) {
    try {
      const figures = await runOAuthBench(
        {
          fixture,
          adminToken: secrets.adminToken,
          databaseUrl,
          routes: [PRODUCT, PRODUCT_LIST],
          startApp: (label, env) => startFullApp(partial, label, 'info', env),
          progress,
        },
        SETTINGS.oauth,
      );
      oauthSection = oauthReport(figures);
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      progress(`oauth failed: ${text}`);
      oauthSection = { ok: false, lines: ['FAILED:', '', '```', text, '```'] };
    }
  }

  let uiSection: { lines: readonly string[]; ok: boolean } | undefined;
  if (SECTIONS.has('ui')) {
    try {
      const figures = await runUiBench(
        {
          fixture,
          adminToken: secrets.adminToken,
          handle: 'bench',
          startApp: (label) => startFullApp(partial, label, 'info'),
          startRestVariant: (apiUrl, ordersKey) =>
            startBenchServer(
              bench,
              'ui-rest',
              'dist/bench/ui-rest-server.js',
              {
                BENCH_API_URL: apiUrl,
                BENCH_ORDERS_KEY: ordersKey,
              },
              '/health',
            ),
          progress,
        },
        SETTINGS.ui,
      );
      uiSection = uiReport(figures);
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      progress(`ui failed: ${text}`);
      uiSection = { ok: false, lines: ['FAILED:', '', '```', text, '```'] };
    }
  }

  await cleanUp();
  const startup: StartupFigures = { firstStartMs, readyMs, idleRssMiB };
  console.log(
    report({
      postgresVersion,
      databaseKind: database.kind,
      cells,
      startup,
      loadedRssMiB,
      referenceRss,
      verifications,
      graphqlLines: graphqlSection?.lines,
      webhookLines: webhookSection?.lines,
      oauthLines: oauthSection?.lines,
      uiLines: uiSection?.lines,
      cacheMemoryLines,
      elapsedSeconds: (performance.now() - started) / 1000,
    }),
  );
  // The tables are printed either way; a failed verification makes the figures next to it void.
  if (
    verifications.some(({ verification }) => !verification.ok) ||
    (graphqlSection && !graphqlSection.ok) ||
    (webhookSection && !webhookSection.ok) ||
    (oauthSection && !oauthSection.ok) ||
    (uiSection && !uiSection.ok)
  )
    process.exitCode = 1;
}

/** The warm-up run of a target in a cell, or undefined for none. */
function warmupShape(scenario: Scenario, connections: number): LoadShape | undefined {
  const shape = { connections, rate: scenario.rate, status: scenario.status };
  if (scenario.drain) return { ...shape, requests: connections * SETTINGS.drainWarmupRequests };
  const seconds = scenario.warmupSeconds ?? SETTINGS.warmupSeconds;
  return seconds > 0 ? { ...shape, seconds } : undefined;
}

/** One measured slice; a `drain` scenario sends what its warm-up rate gets through in `seconds`. */
function sliceShape(
  scenario: Scenario,
  connections: number,
  seconds: number,
  warmup: LoadResult | undefined,
): LoadShape {
  const shape = { connections, rate: scenario.rate, status: scenario.status };
  if (!scenario.drain) return { ...shape, seconds };
  const rate = warmup && warmup.rps > 0 ? warmup.rps : 100;
  return { ...shape, requests: Math.max(connections, Math.round(rate * seconds)) };
}

/**
 * The orders the order scenario left: as many as it got 201s for, numbered 1..n without a gap
 * or a repeat, the order counter at n, n line items, and n units gone from the stock variant.
 */
async function verifyOrders(bench: Bench, created: number): Promise<Verification> {
  const schema = escapeIdentifier(bench.fixture.schema);
  const client = new Client({
    connectionString: bench.databaseUrl,
    application_name: 'dk-bench-verify',
  });
  await client.connect();
  try {
    const {
      rows: [orders],
    } = await client.query<{ n: number; distinct: number; min: number; max: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT number)::int AS distinct,
              coalesce(min(number), 0)::int AS min, coalesce(max(number), 0)::int AS max
         FROM ${schema}.orders`,
    );
    const {
      rows: [counter],
    } = await client.query<{ value: number }>(
      `SELECT value::int AS value FROM ${schema}.counters WHERE name = 'order_number'`,
    );
    const {
      rows: [lines],
    } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.line_items`);
    const {
      rows: [stock],
    } = await client.query<{ quantity: number }>(
      `SELECT inventory_quantity AS quantity FROM ${schema}.variants WHERE id = $1`,
      [bench.fixture.stockVariant.id],
    );
    const n = orders.n;
    const checks: [string, boolean][] = [
      [`orders in the store ${n} = 201 answers ${created}`, n === created],
      [
        `numbers ${n === 0 ? 'none' : `${orders.min}..${orders.max}`}, ${orders.distinct} distinct: 1..n without gaps`,
        n === 0 || (orders.min === 1 && orders.max === n && orders.distinct === n),
      ],
      [`order_number counter ${counter.value} = n`, counter.value === n],
      [`line items ${lines.n} = n`, lines.n === n],
      [
        `stock ${stock.quantity} = ${bench.fixture.stockVariant.stock} − n`,
        stock.quantity === bench.fixture.stockVariant.stock - n,
      ],
    ];
    return {
      ok: checks.every(([, ok]) => ok),
      lines: checks.map(([text, ok]) => `${ok ? 'ok' : 'FAILED'}: ${text}`),
    };
  } finally {
    await client.end();
  }
}

/** The full app, with `env` over its usual environment. */
function startFullApp(
  bench: Pick<Bench, 'root' | 'workDir' | 'databaseUrl' | 'secrets'>,
  label: string,
  logLevel = 'info',
  env: Record<string, string> = {},
  nodeArgs: readonly string[] = [],
): Promise<ServerProcess> {
  return freePort().then((port) => {
    const server = ServerProcess.start({
      name: `full app (${label})`,
      script: 'dist/src/main.js',
      cwd: bench.root,
      env: { ...appEnvironment(bench, port, logLevel), ...env },
      nodeArgs,
      logFile: join(bench.workDir, `full-${label}.log`),
      port,
    });
    onCleanup(() => server.stop());
    return server;
  });
}

function startBareServer(
  bench: Bench,
  name: string,
  tenancy: 'off' | 'transaction',
): Promise<ServerProcess> {
  return startBenchServer(bench, name, 'dist/bench/bare-server.js', {
    BENCH_STORE_ID: bench.fixture.storeId,
    BENCH_BARE_TENANCY: tenancy,
  });
}

/** One of the bench's own servers, with the app's environment plus `env`, once it serves. */
async function startBenchServer(
  bench: Bench,
  name: string,
  script: string,
  env: Record<string, string>,
  readyPath = '/v1/products?limit=1',
): Promise<ServerProcess> {
  const port = await freePort();
  const server = ServerProcess.start({
    name: `${name} server`,
    script,
    cwd: bench.root,
    env: { ...appEnvironment(bench, port, 'silent'), ...env },
    logFile: join(bench.workDir, `${name}.log`),
    port,
  });
  onCleanup(() => server.stop());
  await server.waitUntilReady(readyPath);
  return server;
}

function selectSections(
  list: string,
): ReadonlySet<'http' | 'cache' | 'graphql' | 'webhooks' | 'oauth' | 'ui'> {
  const known = ['http', 'cache', 'graphql', 'webhooks', 'oauth', 'ui'] as const;
  const names = list.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !known.some((section) => section === name));
  if (unknown.length > 0) throw new Error(`Unknown BENCH_SECTIONS: ${unknown.join(', ')}`);
  return new Set(known.filter((section) => names.includes(section)));
}

function selectTargets(list: string | undefined): readonly TargetDefinition[] {
  const before = process.env.BENCH_BEFORE ? ['before'] : [];
  if (list === 'all') return TARGETS.filter((target) => target.name !== 'before' || before.length);
  if (!list) return TARGETS.filter((target) => !target.optional || before.includes(target.name));
  const names = [...list.split(',').map((name) => name.trim()), ...before];
  if (names.includes('before') && before.length === 0)
    throw new Error('The target "before" needs BENCH_BEFORE (a git ref)');
  const unknown = names.filter((name) => !TARGETS.some((target) => target.name === name));
  if (unknown.length > 0) throw new Error(`Unknown BENCH_TARGETS: ${unknown.join(', ')}`);
  if (!names.includes('full')) throw new Error('BENCH_TARGETS must include full');
  return TARGETS.filter((target) => names.includes(target.name));
}

/** The whole environment of a server under test: nothing leaks in from the shell. */
function appEnvironment(
  bench: Pick<Bench, 'workDir' | 'databaseUrl' | 'secrets'>,
  port: number,
  logLevel: string,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: bench.databaseUrl,
    DATABASE_POOL_SIZE: String(SETTINGS.poolSize),
    PLATFORM_ADMIN_TOKEN: bench.secrets.adminToken,
    ENCRYPTION_KEY: bench.secrets.encryptionKey,
    LOG_LEVEL: logLevel,
    DATA_DIR: join(bench.workDir, 'data'),
    // The benchmark measures throughput, not the rate limiter's refusals.
    RATE_LIMIT_BUCKET: '1000000000',
    RATE_LIMIT_REFILL_PER_SECOND: '1000000000',
    ...APP_ENV,
  };
}

function targetsOf(scenario: Scenario): readonly TargetDefinition[] {
  return SELECTED_TARGETS.filter(
    (target) => !scenario.targets || scenario.targets.includes(target.name),
  );
}

/** The target's headers under the request's own (a scenario's own credential wins). */
function withHeaders(request: LoadRequest, headers: Record<string, string>): LoadRequest {
  return { ...request, headers: { ...headers, ...request.headers } };
}

/**
 * Sends the scenario's request once to each of its targets: each answer must have the counted
 * status and pass the scenario's check, and all must be the same bytes. Answers how many counted
 * (what a `verify` must account for).
 */
async function checkScenario(
  scenario: Scenario,
  servers: ReadonlyMap<string, ServerProcess>,
  fixture: Fixture,
): Promise<number> {
  let reference: { target: string; text: string; body: unknown } | undefined;
  let counted = 0;
  for (const target of targetsOf(scenario)) {
    const request = withHeaders(scenario.request(fixture), target.headers(fixture));
    const response = await sendOnce(servers.get(target.name)!.url, request);
    const text = response.text;
    const fail = (why: string) =>
      new Error(
        `${scenario.name} on ${target.name}: ${why} (${response.status} ${text.slice(0, 300)})`,
      );
    const expected =
      scenario.status === undefined
        ? response.status >= 200 && response.status < 300
        : response.status === scenario.status;
    if (!expected) throw fail(`not a ${scenario.status ?? '2xx'}`);
    counted++;
    const body: unknown = JSON.parse(text);
    const problem = scenario.check?.(body, fixture);
    if (problem) throw fail(problem);
    if (reference && !isDeepStrictEqual(reference.body, body))
      throw fail(`body differs from ${reference.target}'s`);
    if (reference && reference.text !== text)
      throw fail(`same JSON as ${reference.target}'s, but not the same bytes`);
    reference ??= { target: target.name, text, body };
  }
  if (reference) {
    const names = targetsOf(scenario).map((target) => target.name);
    const bytes = Buffer.byteLength(reference.text);
    progress(
      `${scenario.section ? `[${scenario.section}] ` : ''}${scenario.name}: ` +
        (names.length > 1
          ? `${names.join(', ')} answer the same ${bytes} bytes`
          : `${names[0]} answers ${bytes} bytes as expected`),
    );
  }
  return counted;
}

// ---------------------------------------------------------------------------------------------
// The report.
// ---------------------------------------------------------------------------------------------

interface ReportInput {
  readonly postgresVersion: string;
  readonly databaseKind: string;
  readonly cells: readonly Cell[];
  readonly startup: StartupFigures;
  readonly loadedRssMiB: number;
  readonly referenceRss: readonly { name: string; rss: number }[];
  readonly verifications: readonly { scenario: Scenario; verification: Verification }[];
  /** The GraphQL section's tables and checks, when it ran. */
  readonly graphqlLines?: readonly string[];
  /** The webhook section's table and checks, when it ran. */
  readonly webhookLines?: readonly string[];
  /** The OAuth section's tables and checks, when it ran. */
  readonly oauthLines?: readonly string[];
  readonly uiLines?: readonly string[];
  readonly cacheMemoryLines?: readonly string[];
  readonly elapsedSeconds: number;
}

function report(input: ReportInput): string {
  const { cells, startup } = input;
  const cpu = cpus();
  const lines = [
    '',
    '## Dukkadee benchmark',
    '',
    `Node ${process.version}, ${cpu.length} CPU (${cpu[0]?.model.trim() ?? 'unknown'}), ` +
      `PostgreSQL ${input.postgresVersion} (${input.databaseKind}), pool ${SETTINGS.poolSize} per server.`,
    `One store with ${SETTINGS.seed.products} products × ${SETTINGS.seed.variantsPerProduct} variants ` +
      `(and one more product whose one variant holds ${formatNumber(SETTINGS.seed.orderStock)} units, for the orders). ` +
      `Per cell and target: ${SETTINGS.warmupSeconds} s warm-up, then ${SETTINGS.seconds} s measured ` +
      `in ${SETTINGS.rounds} slices alternating between the targets; autocannon in the bench ` +
      'process, one request at a time per connection. Ratios: rps over the whole cell ' +
      '(lowest–highest of the side-by-side slices). Before any timing, the targets of each ' +
      'route answer it with the same bytes. Paced rows are an open loop: requests evenly spaced ' +
      'at the rate, over at most `conns` keep-alive connections, each latency counted from when ' +
      "the request was due (bench/lib/paced-load.ts; autocannon sends each second's share back " +
      'to back in bursts, which measures its own queue). Order rows run by request count (sized from a warm-up) so that every ' +
      'request is answered before the orders are counted.',
    ...(SECTIONS.has('http')
      ? SELECTED_TARGETS.map((target) => `- ${target.name}: ${target.description}`)
      : []),
  ];
  if (SECTIONS.has('http')) {
    lines.push('', '### Throughput (rps of 2xx answers; latency in ms)', '');
    lines.push(
      throughputTable(
        SELECTED_TARGETS.map((target) => target.name),
        SELECTED_RATIOS,
        cells
          .filter((cell) => !cell.scenario.section)
          .map((cell) => ({ ...cell, route: cell.scenario.name })),
      ),
    );
  }
  for (const section of new Set(cells.flatMap((cell) => cell.scenario.section ?? []))) {
    lines.push('', `### ${section}`, '');
    lines.push(sectionTable(cells.filter((cell) => cell.scenario.section === section)));
    const checks = input.verifications.filter(({ scenario }) => scenario.section === section);
    for (const { scenario, verification } of checks) {
      lines.push(
        '',
        `Afterwards, ${scenario.name}: ${verification.ok ? 'verified' : 'VERIFICATION FAILED'}`,
        ...verification.lines.map((line) => `- ${line}`),
      );
    }
  }
  if (input.graphqlLines) lines.push('', '### GraphQL (full app)', '', ...input.graphqlLines);
  if (input.webhookLines)
    lines.push('', '### Webhook delivery (full app)', '', ...input.webhookLines);
  if (input.oauthLines) lines.push('', '### OAuth (full app)', '', ...input.oauthLines);
  if (input.cacheMemoryLines) lines.push('', ...input.cacheMemoryLines);
  if (input.uiLines) lines.push('', '### Hosted pages (full app)', '', ...input.uiLines);

  const sorted = [...startup.readyMs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  lines.push(
    '',
    '### Startup and memory (full app, `node dist/src/main.js`, external DATABASE_URL)',
    '',
    renderTable(MEASURE_COLUMNS, [
      [
        `time to ready, migrated database (median of ${sorted.length}; ${sorted.map((ms) => ms.toFixed(0)).join(', ')} ms)`,
        `${median.toFixed(0)} ms`,
        `< ${TARGETS_OF_STARTUP.readyMs} ms`,
        verdict(median < TARGETS_OF_STARTUP.readyMs),
      ],
      [
        'time to ready, first start on an empty database (migrations)',
        `${startup.firstStartMs.toFixed(0)} ms`,
        '',
        '',
      ],
      [
        `idle RSS, ${SETTINGS.settleMs / 1000} s after ready`,
        `${startup.idleRssMiB.toFixed(1)} MiB`,
        `< ${TARGETS_OF_STARTUP.idleRssMiB} MiB`,
        verdict(startup.idleRssMiB < TARGETS_OF_STARTUP.idleRssMiB),
      ],
      ...(SECTIONS.has('http')
        ? [['RSS after the HTTP load', `${input.loadedRssMiB.toFixed(1)} MiB`, '', '']]
        : []),
      ...input.referenceRss.map(({ name, rss }) => [
        `${name} server idle RSS (reference)`,
        `${rss.toFixed(1)} MiB`,
        '',
        '',
      ]),
    ]),
    '',
    `Bench wall time ${input.elapsedSeconds.toFixed(0)} s.`,
  );
  return lines.join('\n');
}

/** One row per target and cell: the load, the rate of counted answers, latency, the goal. */
function sectionTable(cells: readonly Cell[]): string {
  const columns: Column[] = [
    { header: 'route' },
    { header: 'target' },
    { header: 'conns', align: 'right' },
    { header: 'load' },
    { header: 'counts' },
    { header: 'achieved/s', align: 'right' },
    { header: 'p50 ms', align: 'right' },
    { header: 'p99 ms', align: 'right' },
    { header: 'max ms', align: 'right' },
    { header: 'other answers' },
    { header: 'goal' },
    { header: '' },
  ];
  const rows = cells.flatMap((cell) =>
    [...cell.results].map(([target, result]) => {
      const { scenario } = cell;
      const miss = scenario.goal?.miss(result);
      const others = Object.entries(result.statusCodes).filter(([code]) =>
        scenario.status === undefined ? !code.startsWith('2') : code !== String(scenario.status),
      );
      const errors = result.failures - others.reduce((total, [, count]) => total + count, 0);
      return [
        scenario.name,
        target,
        String(cell.connections),
        scenario.rate !== undefined
          ? `${scenario.rate}/s for ${formatNumber(result.seconds, 1)} s`
          : `closed loop, ${formatNumber(result.ok + result.failures)} requests in ${formatNumber(result.seconds, 1)} s`,
        scenario.status === undefined ? '2xx' : String(scenario.status),
        formatNumber(result.rps, 1),
        formatMs(result.p50),
        formatMs(result.p99),
        formatMs(result.latencies[result.latencies.length - 1] ?? Number.NaN),
        [
          ...others.map(([code, count]) => `${count}× ${code}`),
          ...(errors > 0 ? [`${errors} errors/timeouts`] : []),
        ].join(', ') || 'none',
        scenario.goal?.label ?? '',
        scenario.goal ? (miss === undefined ? 'met' : `MISSED (${miss})`) : '',
      ];
    }),
  );
  return renderTable(columns, rows);
}

function connectionCounts(list: string): number[] {
  const counts = list.split(',').map(Number);
  if (!counts.every((count) => Number.isInteger(count) && count > 0))
    throw new Error('BENCH_CONNECTIONS must be comma-separated positive integers');
  return counts;
}

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping`);
    void cleanUp().finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(
      `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    void cleanUp().finally(() => process.exit(1));
  },
);
