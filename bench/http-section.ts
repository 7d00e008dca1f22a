/**
 * The HTTP section: the targets compared side by side, the scenarios each one is loaded with, and
 * the ratios reported between them. Add targets, scenarios and ratios here.
 */
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
import { Client, escapeIdentifier } from 'pg';
import { LoadRequest, LoadResult, LoadShape, sendOnce } from './lib/load';
import { Fixture, stockOrderRequest } from './lib/seed';
import { ServerProcess } from '../harness/server-process';
import { formatMs, formatNumber, RatioColumn } from './lib/table';
import { buildBefore } from './lib/before-build';
import { SETTINGS, STEADY } from './settings';
import {
  Bench,
  onCleanup,
  progress,
  startBareServer,
  startBenchServer,
  startFullApp,
} from './processes';

export interface TargetDefinition {
  readonly name: string;
  readonly description: string;
  /** Runs only when named in BENCH_TARGETS. */
  readonly optional?: boolean;
  /** Starts the server (or answers one already running) and waits until it serves. */
  start(bench: Bench): Promise<ServerProcess>;
  /** Headers every request to this target carries (its credential). */
  headers(fixture: Fixture): Record<string, string>;
}

export interface Scenario {
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

export interface Verification {
  readonly ok: boolean;
  readonly lines: readonly string[];
}

export const TARGETS: readonly TargetDefinition[] = [
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

export const PRODUCT_LIST: Pick<Scenario, 'name' | 'request' | 'check'> = {
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

export const PRODUCT: Pick<Scenario, 'name' | 'request' | 'check'> = {
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

export const STEADY_RATE = {
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
export const steady = (scenario: Pick<Scenario, 'name' | 'request' | 'check'>): Scenario => ({
  ...scenario,
  ...STEADY_RATE,
  name: scenario.name.replace(/ \(.*\)$/, ''),
  request: (fixture) => ({ ...scenario.request(fixture), conversation: undefined }),
});

export const MIX_TALLY: MixTally = { writes: 0, readsAfterWrite: 0, stale: 0 };

export const READ_WRITE_MIX: Scenario = {
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

export const SCENARIOS: readonly Scenario[] = [
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

export const RATIOS: readonly RatioColumn[] = [
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

export function isRead(row: { route: string }): boolean {
  return row.route === PRODUCT_LIST.name || row.route === PRODUCT.name;
}

/** BENCH_TARGETS=full,bare,bare-tx (or "all"); the non-optional targets by default. */
export const SELECTED_TARGETS = selectTargets(process.env.BENCH_TARGETS);
export const SELECTED_RATIOS = RATIOS.filter((ratio) =>
  [ratio.numerator, ratio.denominator].every((name) =>
    SELECTED_TARGETS.some((target) => target.name === name),
  ),
);

export interface Cell {
  readonly scenario: Scenario;
  readonly connections: number;
  readonly results: Map<string, LoadResult>;
}

/** The warm-up run of a target in a cell, or undefined for none. */
export function warmupShape(scenario: Scenario, connections: number): LoadShape | undefined {
  const shape = { connections, rate: scenario.rate, status: scenario.status };
  if (scenario.drain) return { ...shape, requests: connections * SETTINGS.drainWarmupRequests };
  const seconds = scenario.warmupSeconds ?? SETTINGS.warmupSeconds;
  return seconds > 0 ? { ...shape, seconds } : undefined;
}

/** One measured slice; a `drain` scenario sends what its warm-up rate gets through in `seconds`. */
export function sliceShape(
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
export async function verifyOrders(bench: Bench, created: number): Promise<Verification> {
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

export function selectTargets(list: string | undefined): readonly TargetDefinition[] {
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

export function targetsOf(scenario: Scenario): readonly TargetDefinition[] {
  return SELECTED_TARGETS.filter(
    (target) => !scenario.targets || scenario.targets.includes(target.name),
  );
}

/** The target's headers under the request's own (a scenario's own credential wins). */
export function withHeaders(request: LoadRequest, headers: Record<string, string>): LoadRequest {
  return { ...request, headers: { ...headers, ...request.headers } };
}

/**
 * Sends the scenario's request once to each of its targets: each answer must have the counted
 * status and pass the scenario's check, and all must be the same bytes. Answers how many counted
 * (what a `verify` must account for).
 */
export async function checkScenario(
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
