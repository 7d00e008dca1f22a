import type { Fixture } from './seed';
import type { ServerProcess } from './server-process';

export interface CacheMemorySettings {
  /** Products of the store paged through (BENCH_CACHE_PRODUCTS, default 10,000). */
  readonly products: number;
  /** CACHE_MEMORY_MB of the app under test (BENCH_CACHE_MEMORY_MB, default 32). */
  readonly budgetMiB: number;
  readonly passes: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
}

export interface CacheMemoryFigures {
  readonly settings: CacheMemorySettings;
  readonly idleRssMiB: number;
  readonly peakRssMiB: number;
  readonly requests: number;
  readonly seconds: number;
  readonly l1Bytes: number;
  readonly l1Entries: number;
  readonly evictions: number;
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
  const app = await ctx.startApp({ CACHE_MEMORY_MB: String(settings.budgetMiB) });
  try {
    const fixture = await ctx.seedStore(app.url, settings.products);
    ctx.progress(`[cache memory] seeded ${settings.products} products`);
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
          `[cache memory] pass ${pass}: ${ids.length} products, RSS ${app.rssMiB().toFixed(0)} MiB`,
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
      settings,
      idleRssMiB,
      peakRssMiB,
      requests,
      seconds,
      l1Bytes: metric('cache_l1_bytes'),
      l1Entries: metric('cache_l1_entries'),
      evictions: metric('cache_l1_evictions_total'),
      withinTarget: peakRssMiB - idleRssMiB <= settings.budgetMiB + 50,
    };
  } finally {
    await app.stop();
  }
}

async function getJson(url: string, headers: Record<string, string>): Promise<unknown> {
  const answer = await fetch(url, { headers });
  const text = await answer.text();
  if (answer.status !== 200) throw new Error(`${url}: ${answer.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

export function cacheMemoryReport(figures: CacheMemoryFigures): string[] {
  const { settings } = figures;
  const growth = figures.peakRssMiB - figures.idleRssMiB;
  return [
    `### Response cache memory (full app, CACHE_MEMORY_MB=${settings.budgetMiB})`,
    '',
    `${settings.products.toLocaleString('en-US')} products (3 variants each) read ${settings.passes} times, every page of 50 ` +
      `then every product by id (${settings.concurrency} at once): ${figures.requests.toLocaleString('en-US')} requests in ${figures.seconds.toFixed(1)} s.`,
    '',
    '| idle RSS | peak RSS | growth | target (budget + 50 MiB) | L1 held at the end | L1 entries | evictions |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| ${figures.idleRssMiB.toFixed(0)} MiB | ${figures.peakRssMiB.toFixed(0)} MiB | ${growth.toFixed(0)} MiB | ` +
      `${figures.withinTarget ? 'met' : 'MISSED'} (≤ ${settings.budgetMiB + 50} MiB) | ${(figures.l1Bytes / 2 ** 20).toFixed(1)} MiB | ` +
      `${figures.l1Entries} | ${figures.evictions} |`,
  ];
}
