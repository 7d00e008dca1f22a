import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { paced, percentile, runLoad } from './load';
import { Fixture, stockOrderRequest } from './seed';
import { freePort } from '../../harness/ports';
import { ServerProcess } from '../../harness/server-process';
import {
  formatMs,
  formatNumber,
  latencyRows,
  MEASURE_COLUMNS,
  renderTable,
  verdict,
} from './table';
import {
  monotonicMs,
  ReceivedWebhook,
  ReceiverStats,
  startWebhookReceiver,
} from './webhook-receiver';

export interface WebhookSettings {
  /** Deliveries queued for the throughput run (rounded up to whole orders). */
  readonly deliveries: number;
  /** Subscriptions to `order.created` in that run: each order makes one delivery to each. */
  readonly subscriptions: number;
  /** Concurrent order requests that queue them. */
  readonly orderConnections: number;
  /** Orders per second, one at a time, and for how long, in the latency run. */
  readonly latencyRate: number;
  readonly latencySeconds: number;
  /** Unmeasured orders at that pace first. */
  readonly latencyWarmupSeconds: number;
  /** When set, the dispatching app runs with `--cpu-prof` and writes its profile here. */
  readonly cpuProfileDir?: string;
}

export interface WebhookBenchContext {
  readonly root: string;
  readonly workDir: string;
  readonly databaseUrl: string;
  readonly fixture: Fixture;
  /**
   * Spawns the full app with `env` over its usual environment and `nodeArgs` before its script
   * (it does not wait for it).
   */
  startApp(
    label: string,
    env: Record<string, string>,
    nodeArgs?: readonly string[],
  ): Promise<ServerProcess>;
  onCleanup(cleanup: () => Promise<void>): void;
  progress(message: string): void;
}

export interface ThroughputFigures {
  readonly subscriptions: number;
  readonly orders: number;
  /** Orders per second while the deliveries were queued (dispatcher off). */
  readonly queueingRps: number;
  /** Pending deliveries in the database before the dispatcher started. */
  readonly expected: number;
  readonly receiver: ReceiverStats;
  /** Whether every expected delivery arrived before the time limit. */
  readonly complete: boolean;
  /** From readiness (or the first delivery, when earlier) to the last new delivery. */
  readonly seconds: number;
  /** How long before readiness the first delivery arrived (0 when after). */
  readonly firstBeforeReadyMs: number;
  /** From the first delivery to the last new one. */
  readonly firstToLastSeconds: number;
  readonly timeToReadyMs: number;
  /** Sampled requests whose signature a Standard Webhooks verifier accepted, of those sampled. */
  readonly samplesVerified: number;
  readonly samples: number;
  readonly sampleErrors: readonly string[];
  readonly database: DeliveryCounts;
}

export interface DeliveryCounts {
  readonly pending: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly attempts: number;
  /** Attempts answered 204. */
  readonly attempts204: number;
}

export interface LatencyFigures {
  readonly rate: number;
  readonly seconds: number;
  /** Orders created (201) in the measured run. */
  readonly orders: number;
  readonly refused: number;
  /** Sorted, in ms: receiver arrival minus the 201's arrival, per order. */
  readonly latencies: readonly number[];
  readonly missing: number;
  readonly duplicates: number;
  /** The pace actually achieved, orders per second. */
  readonly achievedRate: number;
}

export interface WebhookFigures {
  readonly settings: WebhookSettings;
  readonly throughput: ThroughputFigures;
  readonly latency: LatencyFigures;
}

export const WEBHOOK_TARGETS = { deliveriesPerSecond: 1000, latencyP99Ms: 50 } as const;

interface Subscription {
  readonly id: string;
  readonly secret: string;
  readonly path: string;
}

/**
 * The webhook section, on the full app:
 *
 * 1. throughput: the app with `WEBHOOK_DISPATCHER=off` queues `deliveries` (orders × subscriptions,
 *    all to a receiver in its own process), stops; the app starts again with the dispatcher on,
 *    and the run is timed from its readiness until the receiver has every delivery;
 * 2. latency: on that app, one subscription to a receiver in this process, orders one at a time
 *    at a steady low rate, each timed from its 201 to the arrival of its `order.created`.
 */
export async function runWebhookBench(
  ctx: WebhookBenchContext,
  settings: WebhookSettings,
): Promise<WebhookFigures> {
  const { throughput, app, subscriptions } = await measureThroughput(ctx, settings);
  try {
    for (const subscription of subscriptions) await deleteSubscription(ctx, app, subscription);
    const latency = await measureLatency(ctx, settings, app);
    return { settings, throughput, latency };
  } finally {
    await app.stop();
  }
}

async function measureThroughput(
  ctx: WebhookBenchContext,
  settings: WebhookSettings,
): Promise<{ throughput: ThroughputFigures; app: ServerProcess; subscriptions: Subscription[] }> {
  const port = await freePort();
  const receiver = ServerProcess.start({
    name: 'webhook receiver',
    script: 'dist/bench/webhook-receiver.js',
    cwd: ctx.root,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: String(port) },
    logFile: join(ctx.workDir, 'webhook-receiver.log'),
    port,
  });
  ctx.onCleanup(() => receiver.stop());
  try {
    await receiver.waitUntilReady('/stats');

    // 1. Queue the deliveries with no dispatcher running.
    const queueing = await ctx.startApp('webhooks-queue', {
      WEBHOOK_DISPATCHER: 'off',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    let subscriptions: Subscription[];
    let orders: number;
    let queueingRps: number;
    try {
      await queueing.waitUntilReady('/health/ready');
      subscriptions = [];
      for (let index = 0; index < settings.subscriptions; index++) {
        subscriptions.push(await createSubscription(ctx, queueing, `${receiver.url}/s/${index}`));
      }
      const wanted = Math.ceil(settings.deliveries / settings.subscriptions);
      const load = await runLoad(queueing.url, stockOrderRequest(ctx.fixture), {
        connections: settings.orderConnections,
        requests: wanted,
        status: 201,
      });
      if (load.failures > 0 || load.ok !== wanted) {
        throw new Error(
          `queueing orders: ${load.ok} of ${wanted} created, answers ${JSON.stringify(load.statusCodes)}`,
        );
      }
      orders = load.ok;
      queueingRps = load.rps;
      ctx.progress(
        `[webhooks] ${orders} orders × ${subscriptions.length} subscriptions queued with the ` +
          `dispatcher off, ${formatNumber(load.rps)} orders/s (p50 ${formatMs(load.p50)} ms, p99 ${formatMs(load.p99)} ms)`,
      );
    } finally {
      await queueing.stop();
    }
    const before = await countDeliveries(ctx.databaseUrl, subscriptions);
    const expected = orders * subscriptions.length;
    if (before.pending !== expected || before.succeeded + before.failed + before.attempts > 0) {
      throw new Error(
        `expected ${expected} pending deliveries and nothing else, found ${JSON.stringify(before)}`,
      );
    }

    // 2. Dispatch them: timed from readiness until the receiver has every one.
    const app = await ctx.startApp(
      'webhooks-dispatch',
      { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
      settings.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfileDir}`] : [],
    );
    try {
      const timeToReadyMs = await app.waitUntilReady('/health/ready');
      const readyAt = monotonicMs();
      // Down to 100 deliveries/s; past that, the figure is reported as incomplete.
      const deadline = readyAt + 30_000 + expected * 10;
      let stats = await getJson<ReceiverStats>(`${receiver.url}/stats`);
      let lastProgress = readyAt;
      while (stats.unique < expected && monotonicMs() < deadline) {
        await sleep(20);
        stats = await getJson<ReceiverStats>(`${receiver.url}/stats`);
        if (monotonicMs() - lastProgress >= 5_000) {
          lastProgress = monotonicMs();
          ctx.progress(`[webhooks] ${stats.unique} of ${expected} delivered`);
        }
      }
      const complete = stats.unique >= expected;
      const stoppedAt = monotonicMs();
      // Late duplicates, if any, have a moment to show up before the final count.
      await sleep(1_000);
      stats = await getJson<ReceiverStats>(`${receiver.url}/stats`);
      const samples = await getJson<ReceivedWebhook[]>(`${receiver.url}/samples`);
      const verified = verifySamples(samples, subscriptions);
      const database = await countDeliveries(ctx.databaseUrl, subscriptions);
      const firstAt = stats.firstAt ?? readyAt;
      const start = Math.min(readyAt, firstAt);
      const end = complete ? (stats.lastUniqueAt ?? stoppedAt) : stoppedAt;
      const throughput: ThroughputFigures = {
        subscriptions: subscriptions.length,
        orders,
        queueingRps,
        expected,
        receiver: stats,
        complete,
        seconds: (end - start) / 1000,
        firstBeforeReadyMs: Math.max(0, readyAt - firstAt),
        firstToLastSeconds: ((stats.lastUniqueAt ?? firstAt) - firstAt) / 1000,
        timeToReadyMs,
        samplesVerified: verified.ok,
        samples: samples.length,
        sampleErrors: verified.errors,
        database,
      };
      ctx.progress(
        `[webhooks] ${stats.unique} of ${expected} delivered in ${throughput.seconds.toFixed(2)} s ` +
          `(${formatNumber(stats.unique / throughput.seconds)}/s; first to last ` +
          `${throughput.firstToLastSeconds.toFixed(2)} s), ${stats.duplicates} duplicates, ` +
          `${stats.malformed} malformed; database ${JSON.stringify(database)}`,
      );
      return { throughput, app, subscriptions };
    } catch (error) {
      await app.stop();
      throw error;
    }
  } finally {
    await receiver.stop();
  }
}

async function measureLatency(
  ctx: WebhookBenchContext,
  settings: WebhookSettings,
  app: ServerProcess,
): Promise<LatencyFigures> {
  const arrivals = new Map<string, number[]>();
  const receiver = await startWebhookReceiver({
    port: 0,
    onWebhook: (webhook) => {
      const event = JSON.parse(webhook.body) as { data?: { object?: { id?: string } } };
      const id = event.data?.object?.id ?? '?';
      arrivals.set(id, [...(arrivals.get(id) ?? []), webhook.at]);
    },
  });
  ctx.onCleanup(() => receiver.close());
  try {
    const subscription = await createSubscription(ctx, app, `${receiver.url}/latency`);
    const request = stockOrderRequest(ctx.fixture);
    const orders = async (count: number) => {
      const answered = new Map<string, number>();
      let refused = 0;
      const { seconds } = await paced(settings.latencyRate, count, async () => {
        const response = await fetch(`${app.url}${request.path}`, {
          method: request.method,
          headers: { 'content-type': 'application/json', ...request.headers },
          body: request.body,
        });
        const at = monotonicMs();
        const text = await response.text();
        if (response.status === 201) answered.set((JSON.parse(text) as { id: string }).id, at);
        else refused++;
      });
      return { answered, refused, seconds };
    };
    await orders(Math.round(settings.latencyRate * settings.latencyWarmupSeconds));
    const run = await orders(Math.round(settings.latencyRate * settings.latencySeconds));
    const deadline = monotonicMs() + 10_000;
    const arrived = () => [...run.answered.keys()].filter((id) => arrivals.has(id)).length;
    while (arrived() < run.answered.size && monotonicMs() < deadline) await sleep(10);
    await sleep(200);
    const latencies: number[] = [];
    let duplicates = 0;
    for (const [id, answeredAt] of run.answered) {
      const times = arrivals.get(id);
      if (!times) continue;
      latencies.push(times[0] - answeredAt);
      duplicates += times.length - 1;
    }
    latencies.sort((a, b) => a - b);
    await deleteSubscription(ctx, app, subscription);
    const figures: LatencyFigures = {
      rate: settings.latencyRate,
      seconds: settings.latencySeconds,
      orders: run.answered.size,
      refused: run.refused,
      latencies,
      missing: run.answered.size - latencies.length,
      duplicates,
      achievedRate: run.answered.size / run.seconds,
    };
    ctx.progress(
      `[webhooks] latency over ${latencies.length} orders at ${figures.achievedRate.toFixed(1)}/s: ` +
        `p50 ${formatMs(percentile(latencies, 0.5))} ms, p99 ${formatMs(percentile(latencies, 0.99))} ms, ` +
        `max ${formatMs(latencies[latencies.length - 1] ?? Number.NaN)} ms, ${figures.missing} missing`,
    );
    return figures;
  } finally {
    await receiver.close();
  }
}

/** Each sample's signature checked with the Standard Webhooks library and its subscription's secret. */
function verifySamples(
  samples: readonly ReceivedWebhook[],
  subscriptions: readonly Subscription[],
): { ok: number; errors: string[] } {
  const errors: string[] = [];
  let ok = 0;
  for (const sample of samples) {
    const subscription = subscriptions.find((candidate) => candidate.path === sample.path);
    const header = (name: string) => String(sample.headers[name] ?? '');
    try {
      if (!subscription) throw new Error(`no subscription for ${sample.path}`);
      new Webhook(subscription.secret).verify(sample.body, {
        'webhook-id': header('webhook-id'),
        'webhook-timestamp': header('webhook-timestamp'),
        'webhook-signature': header('webhook-signature'),
      });
      ok++;
    } catch (error) {
      if (errors.length < 5)
        errors.push(`${sample.path} ${header('webhook-id')}: ${(error as Error).message}`);
    }
  }
  return { ok, errors };
}

async function countDeliveries(
  databaseUrl: string,
  subscriptions: readonly Subscription[],
): Promise<DeliveryCounts> {
  const client = new Client({
    connectionString: databaseUrl,
    application_name: 'dk-bench-verify',
  });
  await client.connect();
  try {
    const ids = subscriptions.map((subscription) => subscription.id);
    const { rows } = await client.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM platform.webhook_deliveries
        WHERE subscription_id = ANY($1) GROUP BY status`,
      [ids],
    );
    const {
      rows: [attempts],
    } = await client.query<{ n: number; n204: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE a.status_code = 204)::int AS n204
         FROM platform.webhook_attempts a
         JOIN platform.webhook_deliveries d ON d.id = a.delivery_id
        WHERE d.subscription_id = ANY($1)`,
      [ids],
    );
    const of = (status: string) => rows.find((row) => row.status === status)?.n ?? 0;
    return {
      pending: of('pending'),
      succeeded: of('succeeded'),
      failed: of('failed'),
      attempts: attempts.n,
      attempts204: attempts.n204,
    };
  } finally {
    await client.end();
  }
}

async function createSubscription(
  ctx: WebhookBenchContext,
  app: ServerProcess,
  url: string,
): Promise<Subscription> {
  const response = await fetch(`${app.url}/v1/webhook-subscriptions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${ctx.fixture.webhooksApiKey}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ url, topics: ['order.created'] }),
  });
  const text = await response.text();
  if (response.status !== 201) {
    throw new Error(
      `creating a webhook subscription answered ${response.status}: ${text}\n${app.logTail(5)}`,
    );
  }
  const body = JSON.parse(text) as { id: string; secret: string };
  return { id: body.id, secret: body.secret, path: new URL(url).pathname };
}

async function deleteSubscription(
  ctx: WebhookBenchContext,
  app: ServerProcess,
  subscription: Subscription,
): Promise<void> {
  const response = await fetch(
    `${app.url}/v1/webhook-subscriptions/${encodeURIComponent(subscription.id)}`,
    { method: 'DELETE', headers: { authorization: `Bearer ${ctx.fixture.webhooksApiKey}` } },
  );
  if (response.status !== 204)
    throw new Error(
      `deleting ${subscription.id} answered ${response.status}: ${await response.text()}\n${app.logTail(5)}`,
    );
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

// ---------------------------------------------------------------------------------------------
// The report.
// ---------------------------------------------------------------------------------------------

/** The section's table, its checks, and whether every check held (the figures are void if not). */
export function webhookReport(figures: WebhookFigures): { lines: string[]; ok: boolean } {
  const { throughput: t, latency: l, settings } = figures;
  const rate = t.receiver.unique / t.seconds;
  const rows: string[][] = [
    [
      `deliveries/s to a local receiver: ${formatNumber(t.receiver.unique)} of ${formatNumber(t.expected)} ` +
        `(${formatNumber(t.orders)} orders × ${t.subscriptions} subscriptions) in ${t.seconds.toFixed(2)} s ` +
        'from readiness to the last one',
      `${formatNumber(rate)}/s`,
      `≥ ${formatNumber(WEBHOOK_TARGETS.deliveriesPerSecond)}/s`,
      verdict(
        !t.complete
          ? 'incomplete'
          : rate < WEBHOOK_TARGETS.deliveriesPerSecond
            ? `${formatNumber(rate)}/s`
            : undefined,
      ),
    ],
    [
      `same, first delivery to last (${t.firstToLastSeconds.toFixed(2)} s` +
        (t.firstBeforeReadyMs > 0
          ? `; the first arrived ${formatMs(t.firstBeforeReadyMs)} ms before readiness)`
          : ')'),
      `${formatNumber(t.receiver.unique / t.firstToLastSeconds)}/s`,
      '',
      '',
    ],
    [
      `duplicate attempts the receiver saw (${formatNumber(t.receiver.requests)} requests)`,
      formatNumber(t.receiver.duplicates),
      '0',
      verdict(t.receiver.duplicates === 0 ? undefined : `${t.receiver.duplicates}`),
    ],
    ...latencyRows(
      {
        name: 'commit-to-receiver latency',
        method:
          `${formatNumber(l.orders)} orders, one at a time at ${l.rate}/s for ${l.seconds} s: ` +
          "from the 201 to the webhook's arrival",
      },
      l.latencies,
      WEBHOOK_TARGETS.latencyP99Ms,
      l.missing,
    ),
  ];
  const checks: [string, boolean][] = [
    [
      `deliveries queued with the dispatcher off: ${formatNumber(t.expected)} pending ` +
        `(${formatNumber(t.queueingRps)} orders/s at ${settings.orderConnections} connections); ` +
        `the dispatching app was ready ${formatNumber(t.timeToReadyMs)} ms after its spawn`,
      true,
    ],
    [
      `receiver: ${formatNumber(t.receiver.unique)} distinct (subscription, webhook-id) of ${formatNumber(t.expected)}, ` +
        `${Object.keys(t.receiver.perPath).length} subscriptions of ${t.subscriptions} reached`,
      t.complete && Object.keys(t.receiver.perPath).length === t.subscriptions,
    ],
    [`duplicates ${t.receiver.duplicates} = 0`, t.receiver.duplicates === 0],
    [
      `well-formed webhook-id, webhook-timestamp and webhook-signature (v1,<base64 of 32 bytes>): ` +
        `${formatNumber(t.receiver.requests - t.receiver.malformed)} of ${formatNumber(t.receiver.requests)}`,
      t.receiver.malformed === 0,
    ],
    [
      `sampled signatures accepted by the standardwebhooks verifier with their subscription's secret: ` +
        `${t.samplesVerified} of ${t.samples}` +
        (t.sampleErrors.length > 0 ? ` (${t.sampleErrors.join('; ')})` : ''),
      t.samples > 0 && t.samplesVerified === t.samples,
    ],
    [
      `platform.webhook_deliveries: ${formatNumber(t.database.succeeded)} succeeded = ${formatNumber(t.expected)}, ` +
        `${t.database.pending} pending, ${t.database.failed} failed`,
      t.database.succeeded === t.expected && t.database.pending + t.database.failed === 0,
    ],
    [
      `platform.webhook_attempts: ${formatNumber(t.database.attempts)} = ${formatNumber(t.expected)}, ` +
        `${formatNumber(t.database.attempts204)} answered 204`,
      t.database.attempts === t.expected && t.database.attempts204 === t.expected,
    ],
    [
      `latency run: ${l.orders} orders created (${l.refused} refused) at ${l.achievedRate.toFixed(1)}/s, ` +
        `${l.latencies.length} webhooks matched by data.object.id, ${l.missing} missing, ${l.duplicates} duplicates`,
      l.refused === 0 && l.missing === 0 && l.duplicates === 0,
    ],
  ];
  const columns = MEASURE_COLUMNS;
  const ok = checks.every(([, passed]) => passed);
  return {
    ok,
    lines: [
      `Throughput: the full app with \`WEBHOOK_DISPATCHER=off\` queued one \`order.created\` ` +
        `delivery per order and subscription (${t.subscriptions} subscriptions, each its own path ` +
        'on a receiver in a process of its own that answers 204 at once, keep-alive) and stopped; ' +
        'then the app started with the dispatcher on (`inline`) and the time runs from its ' +
        'readiness (or the first delivery, when earlier) until the receiver had every delivery. ' +
        'Latency: on that app, one subscription to a receiver in the bench process (same clock), ' +
        `orders created one at a time at ${l.rate}/s for ${l.seconds} s after ` +
        `${settings.latencyWarmupSeconds} s of unmeasured warm-up at that pace, each timed from ` +
        'the arrival of its 201 (the commit came just before) to the arrival of the webhook whose ' +
        '`data.object.id` is that order.',
      '',
      renderTable(columns, rows),
      '',
      `Afterwards: ${ok ? 'verified' : 'VERIFICATION FAILED'}`,
      ...checks.map(([text, passed]) => `- ${passed ? 'ok' : 'FAILED'}: ${text}`),
    ],
  };
}
