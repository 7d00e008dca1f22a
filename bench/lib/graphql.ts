import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { createClient, GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import WebSocket from 'ws';
import { alternateLoads, LoadRequest, paced, percentile, sendOnce } from './load';
import { Fixture } from './seed';
import { openFilesLimit, ServerProcess } from '../../harness/server-process';
import {
  describeLoad,
  formatMs,
  formatNumber,
  RatioColumn,
  renderTable,
  throughputTable,
  ThroughputRow,
  latencyRows,
  verdict,
  MEASURE_COLUMNS,
} from './table';
import { monotonicMs } from './webhook-receiver';

export interface GraphqlSettings {
  /** Connection counts of the product page, one row each. */
  readonly connections: readonly number[];
  /** Measured seconds per target and row, in `rounds` alternating slices after a warm-up. */
  readonly seconds: number;
  readonly rounds: number;
  readonly warmupSeconds: number;
  readonly pauseMs: number;
  /** PATCHes per second, one at a time, and for how long, in the latency run. */
  readonly latencyRate: number;
  readonly latencySeconds: number;
  /** Unmeasured PATCHes at that pace first. */
  readonly latencyWarmupSeconds: number;
  /** WebSocket connections of the fan-out, one subscription each, `openConcurrency` at a time. */
  readonly subscribers: number;
  readonly openConcurrency: number;
  /** Measured events of the fan-out, one every `eventIntervalMs`. */
  readonly fanoutEvents: number;
  readonly eventIntervalMs: number;
  /** How long the app sits idle before each RSS reading. */
  readonly idleMs: number;
  /** When set, the app runs with `--cpu-prof` and writes its profile here. */
  readonly cpuProfileDir?: string;
}

export interface GraphqlBenchContext {
  readonly fixture: Fixture;
  /** Spawns the full app with `env` over its usual environment (it does not wait for it). */
  startApp(
    label: string,
    env: Record<string, string>,
    nodeArgs?: readonly string[],
  ): Promise<ServerProcess>;
  /** Starts the strongest simple peer (bench/json-agg-server.ts) and waits until it serves. */
  startPeer(): Promise<ServerProcess>;
  progress(message: string): void;
}

export const GRAPHQL_TARGETS = {
  pageRatio: 0.5,
  hotPeerRatio: 1.5,
  latencyP99Ms: 50,
  fanoutP99Ms: 250,
} as const;

/** The REST product page's fields, with their variants', as a GraphQL query. */
const PAGE_QUERY =
  '{ products(first: 50) { nodes { id title handle description status tags version createdAt ' +
  'updatedAt variants { id sku title price inventoryQuantity version } } pageInfo { hasNextPage endCursor } } }';
const PRODUCT_FIELDS = [
  'id',
  'title',
  'handle',
  'description',
  'status',
  'tags',
  'version',
  'createdAt',
  'updatedAt',
] as const;
const VARIANT_FIELDS = ['id', 'sku', 'title', 'price', 'inventoryQuantity', 'version'] as const;
const SUBSCRIPTION = 'subscription { productUpdated { id version } }';
/** Bucket size and refill: enough that the cost bucket never throttles the benchmark. */
const UNTHROTTLED = 1_000_000_000;
/** The app's defaults, for the report. */
const DEFAULT_COST = { bucket: 2000, refillPerSecond: 100 } as const;
const PAGE_ROUTE = 'product page: 50 products × 3 variants';

/** What the GraphQL and the REST product pages answered before any timing. */
export interface PageCheck {
  readonly graphqlBytes: number;
  readonly restBytes: number;
  /** The first difference between a GraphQL node and the REST product of the same id, if any. */
  readonly fieldMismatch: string | undefined;
  readonly sameCursor: boolean;
  readonly restEqualsPeer: boolean;
  readonly costBefore: CostExtension;
  /** `extensions.cost` of one more query after the load. */
  readonly costAfter?: CostExtension;
}

interface CostExtension {
  readonly requestedQueryCost: number;
  readonly actualQueryCost: number;
  readonly throttleStatus: {
    readonly maximumAvailable: number;
    readonly currentlyAvailable: number;
    readonly restoreRate: number;
  };
}

export interface SubscriptionLatency {
  readonly rate: number;
  readonly seconds: number;
  readonly achievedRate: number;
  readonly patches: number;
  /** Sorted, ms: the event's arrival minus the arrival of the PATCH's 200. */
  readonly latencies: readonly number[];
  /** Sorted, ms: the event's arrival minus the moment the PATCH was sent. */
  readonly fromSend: readonly number[];
  readonly missing: number;
  readonly duplicates: number;
  readonly errors: readonly string[];
}

export interface FanoutEvent {
  /** How many subscribers got it (once or more). */
  readonly reached: number;
  /** ms from the PATCH's 200 to the first and to the last subscriber's receipt. */
  readonly first: number;
  readonly last: number;
  /** ms from the PATCH's sending to the last receipt. */
  readonly lastFromSend: number;
}

export interface Fanout {
  readonly subscribers: number;
  readonly openSeconds: number;
  /** PATCHes it took until one reached every subscriber (all subscribed). */
  readonly warmupEvents: number;
  readonly events: readonly FanoutEvent[];
  /** Subscribers that got every measured event exactly once, and nothing unexpected. */
  readonly exactlyOnce: number;
  readonly missing: number;
  readonly duplicates: number;
  /** Messages other than `next` of the subscription, and closes, across all sockets. */
  readonly unexpected: readonly string[];
  readonly closed: number;
  /** CPU per measured event, ms: the app (all threads) and the bench process (the clients). */
  readonly appCpuMsPerEvent: number;
  readonly benchCpuMsPerEvent: number;
  readonly rssBeforeMiB: number;
  readonly rssAfterMiB: number;
  readonly openFilesLimit: { readonly app: number; readonly bench: number };
}

export interface GraphqlFigures {
  readonly settings: GraphqlSettings;
  readonly page: PageCheck;
  readonly rows: readonly ThroughputRow[];
  readonly latency: SubscriptionLatency;
  readonly fanout: Fanout;
}

/** A product change as a subscriber sees it: `<id>@<version>`. */
function eventKey(product: { id: string; version: number }): string {
  return `${product.id}@${product.version}`;
}

/** Every event key's receipts across subscribers: how many, the first and the last arrival. */
class Arrivals {
  private readonly byKey = new Map<string, { count: number; first: number; last: number }>();

  record(key: string, at: number): void {
    const arrival = this.byKey.get(key);
    if (arrival) {
      arrival.count++;
      arrival.last = Math.max(arrival.last, at);
    } else this.byKey.set(key, { count: 1, first: at, last: at });
  }

  of(key: string): { count: number; first: number; last: number } | undefined {
    return this.byKey.get(key);
  }

  count(key: string): number {
    return this.byKey.get(key)?.count ?? 0;
  }
}

/**
 * The GraphQL section, on a full app of its own started with the cost bucket out of the way:
 *
 * 1. the product page over GraphQL and REST answer the same products, before anything is timed;
 * 2. subscription latency: one graphql-ws client, PATCHes one at a time at a steady low rate;
 * 3. fan-out: `subscribers` sockets of this process (a minimal graphql-transport-ws client on
 *    `ws`), events one at a time, each timed until the last socket has it; the app's RSS before
 *    the sockets open and once they all are subscribed and idle;
 * 4. the product page's throughput over GraphQL, over REST and on the one-statement peer, side by side.
 */
export async function runGraphqlBench(
  ctx: GraphqlBenchContext,
  settings: GraphqlSettings,
): Promise<GraphqlFigures> {
  const app = await ctx.startApp(
    'graphql',
    {
      GRAPHQL_COST_BUCKET: String(UNTHROTTLED),
      GRAPHQL_COST_REFILL_PER_SECOND: String(UNTHROTTLED),
    },
    settings.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfileDir}`] : [],
  );
  try {
    await app.waitUntilReady('/health/ready');
    const peer = await ctx.startPeer();
    try {
      const requests = pageRequests(ctx.fixture);
      const page = await checkPage(ctx, app, peer, requests);
      const latency = await measureLatency(ctx, settings, app);
      const fanout = await measureFanout(ctx, settings, app);
      const rows: ThroughputRow[] = [];
      const runs = [
        { name: 'graphql', url: app.url, request: requests.graphql },
        { name: 'rest', url: app.url, request: requests.rest },
        { name: 'json-agg', url: peer.url, request: requests.peer },
      ];
      for (const connections of settings.connections) {
        const results = await alternateLoads(runs, {
          seconds: settings.seconds,
          rounds: settings.rounds,
          pauseMs: settings.pauseMs,
          warmup: { connections, seconds: settings.warmupSeconds },
          slice: (seconds) => ({ connections, seconds }),
        });
        for (const [name, result] of results)
          ctx.progress(`[graphql] ${PAGE_ROUTE} c=${connections} ${name}: ${describeLoad(result)}`);
        rows.push({ route: PAGE_ROUTE, connections, results });
      }
      const after = graphqlPage(await sendOnce(app.url, requests.graphql));
      return {
        settings,
        page: { ...page, costAfter: after.extensions?.cost },
        rows,
        latency,
        fanout,
      };
    } finally {
      await peer.stop();
    }
  } finally {
    await app.stop();
  }
}

function pageRequests(fixture: Fixture): Record<'graphql' | 'rest' | 'peer', LoadRequest> {
  const authorization = `Bearer ${fixture.apiKey}`;
  return {
    graphql: {
      method: 'POST',
      path: '/graphql',
      headers: { authorization },
      body: JSON.stringify({ query: PAGE_QUERY }),
    },
    rest: { method: 'GET', path: '/v1/products?limit=50', headers: { authorization } },
    peer: { method: 'GET', path: '/v1/products?limit=50' },
  };
}

interface GraphqlPage {
  readonly data?: {
    products?: {
      nodes: Record<string, unknown>[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
  readonly errors?: unknown[];
  readonly extensions?: { cost?: CostExtension };
}

function graphqlPage(response: { status: number; text: string }): GraphqlPage {
  const body = JSON.parse(response.text) as GraphqlPage;
  if (response.status !== 200 || body.errors || !body.data?.products)
    throw new Error(`POST /graphql answered ${response.status}: ${response.text.slice(0, 300)}`);
  return body;
}

/**
 * The GraphQL page must hold the REST page's 50 products, in the same order (or the section
 * stops); that their fields and cursor match too, and that the peer answers REST's bytes,
 * is reported.
 */
async function checkPage(
  ctx: GraphqlBenchContext,
  app: ServerProcess,
  peer: ServerProcess,
  requests: ReturnType<typeof pageRequests>,
): Promise<PageCheck> {
  const graphqlAnswer = await sendOnce(app.url, requests.graphql);
  const restAnswer = await sendOnce(app.url, requests.rest);
  const peerAnswer = await sendOnce(peer.url, requests.peer);
  if (restAnswer.status !== 200)
    throw new Error(`GET /v1/products answered ${restAnswer.status}: ${restAnswer.text}`);
  const { data, extensions } = graphqlPage(graphqlAnswer);
  const nodes = data!.products!.nodes;
  const rest = JSON.parse(restAnswer.text) as {
    data: Record<string, unknown>[];
    nextCursor: string | null;
  };
  const ids = (products: Record<string, unknown>[]) => products.map((product) => product.id);
  if (rest.data.length !== 50 || !isDeepStrictEqual(ids(nodes), ids(rest.data)))
    throw new Error(
      `the GraphQL page holds ${nodes.length} products, not REST's ${rest.data.length} (ids differ)`,
    );
  if (!nodes.every((node) => (node.variants as unknown[]).length === 3))
    throw new Error('expected 3 variants on every GraphQL node');
  if (!extensions?.cost) throw new Error('no extensions.cost in the GraphQL answer');
  let fieldMismatch: string | undefined;
  for (const [index, product] of rest.data.entries()) {
    const expected = {
      ...pick(product, PRODUCT_FIELDS),
      variants: (product.variants as Record<string, unknown>[]).map((variant) =>
        pick(variant, VARIANT_FIELDS),
      ),
    };
    if (!isDeepStrictEqual(nodes[index], expected)) {
      fieldMismatch = `${String(product.id)}: GraphQL ${JSON.stringify(nodes[index])} vs REST ${JSON.stringify(expected)}`;
      break;
    }
  }
  const check: PageCheck = {
    graphqlBytes: Buffer.byteLength(graphqlAnswer.text),
    restBytes: Buffer.byteLength(restAnswer.text),
    fieldMismatch,
    sameCursor: data!.products!.pageInfo.endCursor === rest.nextCursor,
    restEqualsPeer: peerAnswer.status === 200 && peerAnswer.text === restAnswer.text,
    costBefore: extensions.cost,
  };
  ctx.progress(
    `[graphql] the GraphQL page (${check.graphqlBytes} bytes, cost ${extensions.cost.requestedQueryCost}) ` +
      `holds REST's 50 products (${check.restBytes} bytes); fields ${fieldMismatch ? `DIFFER: ${fieldMismatch.slice(0, 300)}` : 'equal'}, ` +
      `cursor ${check.sameCursor ? 'equal' : 'DIFFERS'}, json-agg ${check.restEqualsPeer ? 'answers the same bytes' : 'DIFFERS'}`,
  );
  return check;
}

function pick(object: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((field) => [field, object[field]]));
}

interface Patched {
  readonly key: string;
  /** `monotonicMs()` when the PATCH was sent and when its 200 arrived. */
  readonly sentAt: number;
  readonly answeredAt: number;
}

/** Changes the title of one product (with the catalog key); a PATCH that fails stops the section. */
class ProductEditor {
  private edits = 0;

  constructor(
    private readonly app: ServerProcess,
    private readonly fixture: Fixture,
  ) {}

  async patch(productId: string): Promise<Patched> {
    const title = `Bench product, edit ${++this.edits}`;
    const sentAt = monotonicMs();
    const response = await fetch(`${this.app.url}/v1/products/${encodeURIComponent(productId)}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${this.fixture.catalogApiKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ title }),
    });
    const answeredAt = monotonicMs();
    const text = await response.text();
    if (response.status !== 200)
      throw new Error(`PATCH ${productId} answered ${response.status}: ${text.slice(0, 300)}`);
    return {
      key: eventKey(JSON.parse(text) as { id: string; version: number }),
      sentAt,
      answeredAt,
    };
  }
}

/** Polls `done` every few ms until it holds or `timeoutMs` has passed; answers whether it held. */
async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = monotonicMs() + timeoutMs;
  while (!done()) {
    if (monotonicMs() >= deadline) return false;
    await sleep(2);
  }
  return true;
}

/**
 * Subscriptions are registered after the server's `connection_ack`, with no answer of their own:
 * PATCHes one product until one event reaches all `subscribers`. Answers how many it took.
 */
async function untilAllSubscribed(
  edit: () => Promise<Patched>,
  arrivals: Arrivals,
  subscribers: number,
): Promise<number> {
  for (let attempt = 1; attempt <= 10; attempt++) {
    const { key } = await edit();
    if (await waitUntil(() => arrivals.count(key) >= subscribers, 3_000)) return attempt;
  }
  throw new Error(`no event reached all ${subscribers} subscribers in 10 attempts`);
}

async function measureLatency(
  ctx: GraphqlBenchContext,
  settings: GraphqlSettings,
  app: ServerProcess,
): Promise<SubscriptionLatency> {
  const arrivals = new Arrivals();
  const errors: string[] = [];
  const client = createClient({
    url: `${app.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${ctx.fixture.apiKey}` },
    retryAttempts: 0,
  });
  const unsubscribe = client.subscribe<{ productUpdated: { id: string; version: number } }>(
    { query: SUBSCRIPTION },
    {
      next: (result) => {
        const at = monotonicMs();
        if (result.data) arrivals.record(eventKey(result.data.productUpdated), at);
        else errors.push(JSON.stringify(result.errors));
      },
      error: (error) => errors.push(error instanceof Error ? error.message : String(error)),
      complete: () => undefined,
    },
  );
  try {
    const editor = new ProductEditor(app, ctx.fixture);
    const productId = ctx.fixture.productIds[0];
    await untilAllSubscribed(() => editor.patch(productId), arrivals, 1);
    const edits = (seconds: number) =>
      paced(settings.latencyRate, Math.round(settings.latencyRate * seconds), () =>
        editor.patch(productId),
      );
    await edits(settings.latencyWarmupSeconds);
    const run = await edits(settings.latencySeconds);
    await waitUntil(() => run.results.every(({ key }) => arrivals.count(key) > 0), 5_000);
    await sleep(200);
    const latencies: number[] = [];
    const fromSend: number[] = [];
    let duplicates = 0;
    for (const { key, sentAt, answeredAt } of run.results) {
      const arrival = arrivals.of(key);
      if (!arrival) continue;
      latencies.push(arrival.first - answeredAt);
      fromSend.push(arrival.first - sentAt);
      duplicates += arrival.count - 1;
    }
    latencies.sort((a, b) => a - b);
    fromSend.sort((a, b) => a - b);
    const figures: SubscriptionLatency = {
      rate: settings.latencyRate,
      seconds: settings.latencySeconds,
      achievedRate: run.results.length / run.seconds,
      patches: run.results.length,
      latencies,
      fromSend,
      missing: run.results.length - latencies.length,
      duplicates,
      errors,
    };
    ctx.progress(
      `[graphql] subscription latency over ${latencies.length} PATCHes at ${figures.achievedRate.toFixed(1)}/s: ` +
        `p50 ${formatMs(percentile(latencies, 0.5))} ms, p99 ${formatMs(percentile(latencies, 0.99))} ms, ` +
        `max ${formatMs(latencies[latencies.length - 1] ?? Number.NaN)} ms, ${figures.missing} missing`,
    );
    return figures;
  } finally {
    unsubscribe();
    await client.dispose();
  }
}

/**
 * One socket speaking graphql-transport-ws with one subscription, and nothing else: the
 * graphql-ws client's own bookkeeping would weigh on the bench process 1,000 times over.
 */
class RawSubscriber {
  /** Receipts per event key. */
  readonly counts = new Map<string, number>();
  readonly unexpected: string[] = [];
  closed = false;
  /** Settles with the `connection_ack` (the subscribe message is then sent). */
  readonly acknowledged: Promise<void>;
  private readonly closing: Promise<void>;
  private readonly socket: WebSocket;

  constructor(url: string, authorization: string, onEvent: (key: string, at: number) => void) {
    this.socket = new WebSocket(url, GRAPHQL_TRANSPORT_WS_PROTOCOL, { perMessageDeflate: false });
    const socket = this.socket;
    this.closing = new Promise((resolve) => socket.once('close', () => resolve()));
    this.acknowledged = new Promise((resolve, reject) => {
      socket.once('open', () =>
        socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization } })),
      );
      socket.on('message', (data) => {
        const at = monotonicMs();
        const text = String(data);
        const message = JSON.parse(text) as {
          type: string;
          id?: string;
          payload?: { data?: { productUpdated?: { id: string; version: number } } };
        };
        const product = message.payload?.data?.productUpdated;
        if (message.type === 'next' && message.id === '1' && product) {
          const key = eventKey(product);
          this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
          onEvent(key, at);
        } else if (message.type === 'connection_ack') {
          socket.send(
            JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION } }),
          );
          resolve();
        } else if (message.type === 'ping') {
          socket.send(JSON.stringify({ type: 'pong' }));
        } else if (message.type !== 'pong') {
          this.unexpected.push(text.slice(0, 200));
        }
      });
      socket.on('error', (error) => {
        this.unexpected.push(`error: ${error.message}`);
        reject(error);
      });
      socket.once('close', (code, reason) => {
        this.closed = true;
        this.unexpected.push(`closed: ${code} ${String(reason)}`);
        reject(new Error(`closed with ${code} ${String(reason)} before connection_ack`));
      });
    });
    // Its rejection is awaited in a batch, or is one of `unexpected` afterwards.
    this.acknowledged.catch(() => undefined);
  }

  /** Closes the socket normally; answers when it is closed (or after 2 s, terminated). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.socket.close(1000);
    if (await Promise.race([this.closing.then(() => false), sleep(2_000, true)]))
      this.socket.terminate();
  }
}

async function measureFanout(
  ctx: GraphqlBenchContext,
  settings: GraphqlSettings,
  app: ServerProcess,
): Promise<Fanout> {
  const count = settings.subscribers;
  const limits = { app: app.openFilesLimit(), bench: openFilesLimit('self') };
  if (Math.min(limits.app, limits.bench) < count + 200)
    ctx.progress(
      `[graphql] open files limits (app ${limits.app}, bench ${limits.bench}) may not hold ${count} sockets`,
    );
  await sleep(settings.idleMs);
  const rssBeforeMiB = app.rssMiB();
  const arrivals = new Arrivals();
  const record = (key: string, at: number) => arrivals.record(key, at);
  const url = `${app.url.replace(/^http/, 'ws')}/graphql`;
  const authorization = `Bearer ${ctx.fixture.apiKey}`;
  const subscribers: RawSubscriber[] = [];
  try {
    const openedAt = monotonicMs();
    while (subscribers.length < count) {
      const batch = Array.from(
        { length: Math.min(settings.openConcurrency, count - subscribers.length) },
        () => new RawSubscriber(url, authorization, record),
      );
      subscribers.push(...batch);
      await Promise.all(batch.map((subscriber) => subscriber.acknowledged));
    }
    const editor = new ProductEditor(app, ctx.fixture);
    const productId = ctx.fixture.productIds[1];
    const warmupEvents = await untilAllSubscribed(() => editor.patch(productId), arrivals, count);
    const openSeconds = (monotonicMs() - openedAt) / 1000;
    ctx.progress(
      `[graphql] ${count} sockets opened and subscribed in ${openSeconds.toFixed(2)} s ` +
        `(${warmupEvents} warm-up event${warmupEvents > 1 ? 's' : ''})`,
    );
    await sleep(settings.idleMs);
    const rssAfterMiB = app.rssMiB();

    const appCpuBefore = app.cpuMs();
    const benchCpuBefore = process.cpuUsage();
    const run = await paced(1000 / settings.eventIntervalMs, settings.fanoutEvents, async () => {
      const patched = await editor.patch(productId);
      await waitUntil(() => arrivals.count(patched.key) >= count, 5_000);
      return patched;
    });
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const appCpuMs = app.cpuMs() - appCpuBefore;
    // Late duplicates, if any, have a moment to show up before the count.
    await sleep(500);
    const events = run.results.map(({ key, sentAt, answeredAt }): FanoutEvent => {
      const arrival = arrivals.of(key);
      return {
        reached: subscribers.filter((subscriber) => subscriber.counts.has(key)).length,
        first: arrival ? arrival.first - answeredAt : Number.NaN,
        last: arrival ? arrival.last - answeredAt : Number.NaN,
        lastFromSend: arrival ? arrival.last - sentAt : Number.NaN,
      };
    });
    let missing = 0;
    let duplicates = 0;
    let exactlyOnce = 0;
    for (const subscriber of subscribers) {
      const receipts = run.results.map(({ key }) => subscriber.counts.get(key) ?? 0);
      missing += receipts.filter((receipts) => receipts === 0).length;
      duplicates += receipts.reduce((total, receipts) => total + Math.max(0, receipts - 1), 0);
      if (receipts.every((receipts) => receipts === 1) && subscriber.unexpected.length === 0)
        exactlyOnce++;
    }
    const fanout: Fanout = {
      subscribers: count,
      openSeconds,
      warmupEvents,
      events,
      exactlyOnce,
      missing,
      duplicates,
      unexpected: subscribers.flatMap((subscriber) => subscriber.unexpected),
      closed: subscribers.filter((subscriber) => subscriber.closed).length,
      appCpuMsPerEvent: appCpuMs / events.length,
      benchCpuMsPerEvent: (benchCpu.user + benchCpu.system) / 1000 / events.length,
      rssBeforeMiB,
      rssAfterMiB,
      openFilesLimit: limits,
    };
    ctx.progress(
      `[graphql] fan-out to ${count}: all received ${events.map((event) => formatMs(event.last)).join(', ')} ms after the 200s; ` +
        `${exactlyOnce} subscribers got every event exactly once, ${missing} missing, ${duplicates} duplicates; ` +
        `CPU per event: app ${formatMs(fanout.appCpuMsPerEvent)} ms, bench ${formatMs(fanout.benchCpuMsPerEvent)} ms; ` +
        `RSS ${rssBeforeMiB.toFixed(1)} → ${rssAfterMiB.toFixed(1)} MiB`,
    );
    return fanout;
  } finally {
    await Promise.all(subscribers.map((subscriber) => subscriber.close()));
  }
}

// ---------------------------------------------------------------------------------------------
// The report.
// ---------------------------------------------------------------------------------------------

const PAGE_RATIOS: readonly RatioColumn[] = [
  {
    label: 'graphql/rest',
    numerator: 'graphql',
    denominator: 'rest',
    atLeast: GRAPHQL_TARGETS.pageRatio,
    targetFor: { label: 'c=50', applies: (row) => row.connections === 50 },
  },
  {
    // Hot: the product fields come from the response cache (CatalogReads).
    label: 'graphql/json-agg',
    numerator: 'graphql',
    denominator: 'json-agg',
    atLeast: GRAPHQL_TARGETS.hotPeerRatio,
    targetFor: { label: 'hot c=50', applies: (row) => row.connections === 50 },
  },
];

/** The section's tables, its checks, and whether every check held (the figures are void if not). */
export function graphqlReport(figures: GraphqlFigures): { lines: string[]; ok: boolean } {
  const { page, latency: l, fanout: f, settings } = figures;
  const max = (sorted: readonly number[]) => sorted[sorted.length - 1] ?? Number.NaN;
  const lasts = f.events.map((event) => event.last).sort((a, b) => a - b);
  const fp99 = percentile(lasts, 0.99);
  const incomplete = f.events.filter((event) => event.reached < f.subscribers).length;
  const perSocketKiB = ((f.rssAfterMiB - f.rssBeforeMiB) * 1024) / f.subscribers;
  const rows: string[][] = [
    ...latencyRows(
      {
        name: 'subscription latency',
        method:
          `one graphql-ws client; ${formatNumber(l.patches)} PATCHes one at a time at ${l.rate}/s ` +
          `for ${l.seconds} s: from the PATCH's 200 to the event's arrival`,
        maxNote: `; from the PATCH's sending: p50 ${formatMs(percentile(l.fromSend, 0.5))} ms`,
      },
      l.latencies,
      GRAPHQL_TARGETS.latencyP99Ms,
      l.missing,
    ),
    [
      `fan-out to ${formatNumber(f.subscribers)} sockets, all received, p50 (${f.events.length} events ` +
        `${settings.eventIntervalMs} ms apart: from the PATCH's 200 to the last socket's receipt)`,
      `${formatMs(percentile(lasts, 0.5))} ms`,
      '',
      '',
    ],
    [
      `fan-out all received p99 (of ${f.events.length} events: the slowest)`,
      `${formatMs(fp99)} ms`,
      `< ${GRAPHQL_TARGETS.fanoutP99Ms} ms`,
      verdict(
        incomplete > 0
          ? `${incomplete} events missed sockets`
          : fp99 >= GRAPHQL_TARGETS.fanoutP99Ms
            ? `${formatMs(fp99)} ms`
            : undefined,
      ),
    ],
    [
      `fan-out all received max (first socket's receipt p50 ` +
        `${formatMs(percentile(sortedOf(f.events.map((event) => event.first)), 0.5))} ms; from the PATCH's ` +
        `sending, all received p50 ${formatMs(percentile(sortedOf(f.events.map((event) => event.lastFromSend)), 0.5))} ms)`,
      `${formatMs(max(lasts))} ms`,
      '',
      '',
    ],
    [
      `RSS per idle subscribed socket: (${f.rssAfterMiB.toFixed(1)} − ${f.rssBeforeMiB.toFixed(1)} MiB) ` +
        `/ ${formatNumber(f.subscribers)}, ${settings.idleMs / 1000} s idle before each reading`,
      `${perSocketKiB.toFixed(1)} KiB`,
      '',
      '',
    ],
  ];
  const after = page.costAfter;
  const cost = page.costBefore.requestedQueryCost;
  const checks: [string, boolean][] = [
    ['GraphQL page: the same 50 product ids as REST, in the same order, 3 variants each', true],
    [
      'GraphQL page: every node equal to the REST product of the same id, on the fields asked' +
        (page.fieldMismatch ? ` (${page.fieldMismatch.slice(0, 400)})` : ''),
      page.fieldMismatch === undefined,
    ],
    ['GraphQL endCursor = REST nextCursor', page.sameCursor],
    [
      'json-agg peer: the same bytes as the full app for GET /v1/products?limit=50',
      page.restEqualsPeer,
    ],
    [
      `cost bucket: ${formatNumber(page.costBefore.throttleStatus.maximumAvailable)} points, ` +
        `the page costs ${page.costBefore.requestedQueryCost}` +
        (after
          ? `; after the load ${formatNumber(after.throttleStatus.currentlyAvailable)} available`
          : ''),
      page.costBefore.throttleStatus.maximumAvailable === UNTHROTTLED &&
        page.costBefore.actualQueryCost === page.costBefore.requestedQueryCost,
    ],
    [
      `latency run: ${l.patches} PATCHes at ${l.achievedRate.toFixed(1)}/s, ${l.latencies.length} events ` +
        `matched by (id, version), ${l.missing} missing, ${l.duplicates} duplicates, ${l.errors.length} errors` +
        (l.errors.length > 0 ? ` (${l.errors.slice(0, 3).join('; ')})` : ''),
      l.missing === 0 && l.duplicates === 0 && l.errors.length === 0,
    ],
    [
      `fan-out: ${formatNumber(f.subscribers)} sockets opened and subscribed in ${f.openSeconds.toFixed(2)} s ` +
        `(${settings.openConcurrency} handshakes at a time; ${f.warmupEvents} warm-up event(s) until one ` +
        `reached all); open files limit app ${f.openFilesLimit.app}, bench ${f.openFilesLimit.bench}`,
      true,
    ],
    [
      `fan-out: ${formatNumber(f.exactlyOnce)} of ${formatNumber(f.subscribers)} sockets got every one of the ` +
        `${f.events.length} events exactly once (${f.missing} missing, ${f.duplicates} duplicates), ` +
        `${f.closed} closed, ${f.unexpected.length} unexpected messages` +
        (f.unexpected.length > 0 ? ` (${f.unexpected.slice(0, 3).join('; ')})` : ''),
      f.exactlyOnce === f.subscribers && f.closed === 0,
    ],
  ];
  const columns = MEASURE_COLUMNS;
  const ok = checks.every(([, passed]) => passed);
  return {
    ok,
    lines: [
      'A full app of its own, started with `GRAPHQL_COST_BUCKET` and ' +
        `\`GRAPHQL_COST_REFILL_PER_SECOND\` at ${formatNumber(UNTHROTTLED)} so that the cost bucket ` +
        `never throttles the load: by default (${formatNumber(DEFAULT_COST.bucket)} points, refilled ` +
        `at ${DEFAULT_COST.refillPerSecond}/s) the page, at ${cost} points, would be answered ` +
        `${Math.floor(DEFAULT_COST.bucket / cost)} times and then ` +
        `${formatNumber(DEFAULT_COST.refillPerSecond / cost, 2)} times a second per key. Every ` +
        'answer still carries `extensions.cost`. The bench process holds every client, the ' +
        'WebSockets included.',
      '',
      `Product page: graphql is \`POST /graphql\` \`${PAGE_QUERY}\` (${formatNumber(page.graphqlBytes)} bytes), ` +
        `rest is \`GET /v1/products?limit=50\` (${formatNumber(page.restBytes)} bytes), both on the full ` +
        'app with the read_products key; json-agg is that GET on bench/json-agg-server.ts (one statement per read). Per row and ' +
        `target: ${settings.warmupSeconds} s warm-up, then ${settings.seconds} s measured in ` +
        `${settings.rounds} alternating slices; ratios over the whole row (lowest–highest slice).`,
      '',
      throughputTable(['graphql', 'rest', 'json-agg'], PAGE_RATIOS, figures.rows),
      '',
      `Subscriptions to \`${SUBSCRIPTION}\` with the read_products key; PATCH /v1/products/{id} ` +
        'changes the title with a read/write catalog key, and each event is matched by ' +
        '(id, version) to the PATCH that made it. Latency: after one event reached the client and ' +
        `${settings.latencyWarmupSeconds} s of unmeasured PATCHes at that pace. Fan-out: ` +
        `${formatNumber(f.subscribers)} sockets of a minimal graphql-transport-ws client on \`ws\` ` +
        'in the bench process, one subscription each; one warm-up event reached them all before ' +
        `the RSS reading and the measured events. CPU per measured event: app ` +
        `${formatMs(f.appCpuMsPerEvent)} ms (all threads, /proc, 10 ms ticks), bench process ` +
        `${formatMs(f.benchCpuMsPerEvent)} ms (the PATCH and ${formatNumber(f.subscribers)} receipts).`,
      '',
      renderTable(columns, rows),
      '',
      `Checks: ${ok ? 'verified' : 'VERIFICATION FAILED'}`,
      ...checks.map(([text, passed]) => `- ${passed ? 'ok' : 'FAILED'}: ${text}`),
    ],
  };
}

function sortedOf(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}
