/** The benchmark's settings, from its environment variables (documented in run.ts). */
import { resolve } from 'node:path';
import { UiSettings } from './lib/ui';
import { GraphqlSettings } from './lib/graphql';
import { WebhookSettings } from './lib/webhooks';
import { OAuthSettings } from './lib/oauth';
import { StoresSettings } from './lib/stores';

export const ROUNDS = Math.round(positiveNumber('BENCH_ROUNDS', 5));

/** The fixed-rate latency scenario (full app), which the OAuth section runs too. */
export const STEADY = { rate: 200, connections: 10, p99Ms: 100, minShare: 0.98 } as const;
export const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROF_DIR
  ? resolve(process.env.BENCH_CPU_PROF_DIR)
  : undefined;

export const SETTINGS = {
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
  stores: {
    stores: Math.round(positiveNumber('BENCH_STORES', 10_000)),
    small: 10,
    connections: 50,
    seconds: positiveNumber('BENCH_STORES_SECONDS', 6),
    warmupSeconds: 2,
    creationConcurrency: 8,
  } satisfies StoresSettings,
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
export const APP_ENV: Readonly<Record<string, string>> = Object.fromEntries(
  (process.env.BENCH_APP_ENV ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);

/** BENCH_SECTIONS: what runs besides the startup and memory figures. */
export const SECTIONS = selectSections(
  process.env.BENCH_SECTIONS ?? 'http,cache,graphql,webhooks,oauth,ui,stores',
);

export const TARGETS_OF_STARTUP = { readyMs: 3000, idleRssMiB: 150 } as const;

export function selectSections(
  list: string,
): ReadonlySet<'http' | 'cache' | 'graphql' | 'webhooks' | 'oauth' | 'ui' | 'stores'> {
  const known = ['http', 'cache', 'graphql', 'webhooks', 'oauth', 'ui', 'stores'] as const;
  const names = list.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !known.some((section) => section === name));
  if (unknown.length > 0) throw new Error(`Unknown BENCH_SECTIONS: ${unknown.join(', ')}`);
  return new Set(known.filter((section) => names.includes(section)));
}

export function connectionCounts(list: string): number[] {
  const counts = list.split(',').map(Number);
  if (!counts.every((count) => Number.isInteger(count) && count > 0))
    throw new Error('BENCH_CONNECTIONS must be comma-separated positive integers');
  return counts;
}

export function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}
