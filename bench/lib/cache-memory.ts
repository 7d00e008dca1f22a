import type { Fixture } from './seed';
import type { ServerProcess } from '../../harness/server-process';

export interface CacheMemorySettings {
  /** Products of the store paged through (BENCH_CACHE_PRODUCTS, default 10,000). */
  readonly products: number;
  /** CACHE_MEMORY_MB of the app under test (BENCH_CACHE_MEMORY_MB, default 8: less than what is read). */
  readonly budgetMiB: number;
  readonly passes: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
}

export interface CacheMemoryRun {
  /** CACHE_MEMORY_MB of this run: the budget, or 0 (no cache) for the reference. */
  readonly budgetMiB: number;
  readonly idleRssMiB: number;
  readonly peakRssMiB: number;
  readonly requests: number;
  readonly seconds: number;
  readonly l1Bytes: number;
  readonly l1Entries: number;
  readonly evictions: number;
}

export interface CacheMemoryFigures {
  readonly settings: CacheMemorySettings;
  /** With the budget, then the same reads with the cache off. */
  readonly runs: readonly [CacheMemoryRun, CacheMemoryRun];
  /** The target: the growth stays within the budget plus 50 MiB. */
  readonly withinTarget: boolean;
}

export interface CacheMemoryContext {
  /** A store of its own with `products` products (3 variants each), created through `appUrl`. */
  seedStore(appUrl: string, products: number): Promise<Fixture>;
  /** The full app with these environment variables, ready. */
  startApp(env: Record<string, string>): Promise<ServerProcess>;
  progress(message: string): void;
}

/**
 * RSS of the full app while every product of a 10,000-product store is read twice, page by page
 * (following `nextCursor`) and by id, with a response cache budget smaller than what that reads:
 * the LRU must evict to stay within it, and the process must not grow past the budget + 50 MiB.
 */
export async function measureCacheMemory(
  ctx: CacheMemoryContext,
  settings: CacheMemorySettings,
): Promise<CacheMemoryFigures> {
  let fixture: Fixture | undefined;
  const runs: CacheMemoryRun[] = [];
  // The same reads with the cache off: what the process grows by whatever the cache holds.
  for (const budgetMiB of [settings.budgetMiB, 0]) {
    const app = await ctx.startApp({ CACHE_MEMORY_MB: String(budgetMiB) });
    try {
      if (!fixture) {
        fixture = await ctx.seedStore(app.url, settings.products);
        ctx.progress(`[cache memory] seeded ${settings.products} products`);
      }
      runs.push(await readEverything(ctx, settings, app, fixture, budgetMiB));
    } finally {
      await app.stop();
    }
  }
  const [cached, uncached] = runs;
  const growth = (run: CacheMemoryRun) => run.peakRssMiB - run.idleRssMiB;
  return {
    settings,
    runs: [cached, uncached],
    withinTarget: growth(cached) <= settings.budgetMiB + 50,
  };
}

async function readEverything(
  ctx: CacheMemoryContext,
  settings: CacheMemorySettings,
  app: ServerProcess,
  fixture: Fixture,
  budgetMiB: number,
): Promise<CacheMemoryRun> {
  const headers = { authorization: `Bearer ${fixture.apiKey}` };
  await fetch(`${app.url}/v1/products?limit=1`, { headers }).then((answer) => answer.text());
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const idleRssMiB = app.rssMiB();
  let peakRssMiB = idleRssMiB;
  const sampler = setInterval(() => (peakRssMiB = Math.max(peakRssMiB, app.rssMiB())), 100);
  const started = performance.now();
  let requests = 0;
  try {
    for (let pass = 1; pass <= settings.passes; pass++) {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `&cursor=${cursor}` : '';
        const page = (await getJson(`${app.url}/v1/products?limit=50${query}`, headers)) as {
          data: { id: string }[];
          nextCursor: string | null;
        };
        requests += 1;
        ids.push(...page.data.map((product) => product.id));
        cursor = page.nextCursor;
      } while (cursor);
      let next = 0;
      await Promise.all(
        Array.from({ length: settings.concurrency }, async () => {
          while (next < ids.length) {
            await getJson(`${app.url}/v1/products/${ids[next++]}`, headers);
            requests += 1;
          }
        }),
      );
      ctx.progress(
        `[cache memory] CACHE_MEMORY_MB=${budgetMiB} pass ${pass}: ${ids.length} products, RSS ${app.rssMiB().toFixed(0)} MiB`,
      );
    }
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const metrics = await fetch(`${app.url}/metrics`).then((answer) => answer.text());
  const metric = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  return {
    budgetMiB,
    idleRssMiB,
    peakRssMiB,
    requests,
    seconds,
    l1Bytes: metric('cache_l1_bytes'),
    l1Entries: metric('cache_l1_entries'),
    evictions: metric('cache_l1_evictions_total'),
  };
}

async function getJson(url: string, headers: Record<string, string>): Promise<unknown> {
  const answer = await fetch(url, { headers });
  const text = await answer.text();
  if (answer.status !== 200) throw new Error(`${url}: ${answer.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

export function cacheMemoryReport(figures: CacheMemoryFigures): string[] {
  const { settings } = figures;
  const [cached] = figures.runs;
  const mib = (bytes: number) =>
    Number.isNaN(bytes) ? '-' : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return [
    `### Response cache memory (full app)`,
    '',
    `${settings.products.toLocaleString('en-US')} products (3 variants each) read ${settings.passes} times, every page of 50 ` +
      `then every product by id (${settings.concurrency} at once): ${cached.requests.toLocaleString('en-US')} requests per run. ` +
      `Target: growth within CACHE_MEMORY_MB + 50 MiB (${settings.budgetMiB + 50} MiB): ${figures.withinTarget ? 'met' : 'MISSED'}. ` +
      'The run with the cache off shows what the process grows by under the same reads whatever the cache holds.',
    '',
    '| CACHE_MEMORY_MB | seconds | idle RSS | peak RSS | growth | L1 held at the end | L1 entries | evictions |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...figures.runs.map(
      (run) =>
        `| ${run.budgetMiB} | ${run.seconds.toFixed(1)} | ${run.idleRssMiB.toFixed(0)} MiB | ${run.peakRssMiB.toFixed(0)} MiB | ` +
        `${(run.peakRssMiB - run.idleRssMiB).toFixed(0)} MiB | ${mib(run.l1Bytes)} | ${Number.isNaN(run.l1Entries) ? '-' : run.l1Entries} | ` +
        `${Number.isNaN(run.evictions) ? '-' : run.evictions} |`,
    ),
  ];
}
