import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { runPacedLoad } from './paced-load';

export interface LoadRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path and query, e.g. `/v1/products?limit=50`. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /**
   * For requests built from the previous answer on the same connection (a refresh token that
   * every answer rotates): called once per connection of each load run, it answers that
   * connection's conversation, whose `body()` is the body of each request the connection sends
   * (in place of `body`), and which hears every answer the connection gets, in order.
   */
  readonly conversation?: () => Conversation;
}

/** One connection's requests and answers, one at a time (see `LoadRequest.conversation`). */
export interface Conversation {
  /** The body of the connection's next request: called once per request, as it is sent. */
  body?(): string;
  /** Or the whole next request (a mix of routes): called once per request, as it is sent. */
  next?(): ConversationRequest;
  answered(status: number, body: string): void;
}

export interface ConversationRequest {
  readonly method: LoadRequest['method'];
  readonly path: string;
  readonly body?: string;
}

/** How hard and how long one load run drives its target. */
export interface LoadShape {
  readonly connections: number;
  /** Runs this long, then drops the requests still in flight (unanswered, uncounted)... */
  readonly seconds?: number;
  /**
   * ...or sends exactly this many requests (at least one per connection) and waits for every
   * answer: what a load whose effects are counted afterwards needs.
   */
  readonly requests?: number;
  /**
   * An open-loop steady rate (requests evenly spaced, latency from when each was due; see
   * paced-load.ts), over at most `connections` keep-alive connections.
   */
  readonly rate?: number;
  /** The only status that counts as an answer (e.g. 201); any 2xx when unset. */
  readonly status?: number;
}

/** One or more load runs against one target, merged. */
export interface LoadResult {
  /** Counted answers (see `LoadShape.status`) per second over the measured time. */
  readonly rps: number;
  /** Latency percentiles of the counted answers, in milliseconds. */
  readonly p50: number;
  readonly p99: number;
  /** Counted answers. */
  readonly ok: number;
  readonly seconds: number;
  /** Other answers, socket errors and timeouts: a cell with failures is not a valid figure. */
  readonly failures: number;
  readonly statusCodes: Record<string, number>;
  /** The rps of each run merged into this result, in order. */
  readonly runRps: readonly number[];
  /** Every counted answer's latency, sorted. */
  readonly latencies: readonly number[];
  /**
   * CPU time the servers behind the run spent meanwhile (user and system, every process that
   * serves it), in ms, when the run says how to read it (`AlternatingRun.serverCpuMs`).
   */
  readonly serverCpuMs?: number;
}

/**
 * Runs autocannon in this process against `baseUrl` for `shape.seconds` (or `shape.requests`) with
 * `shape.connections` concurrent connections (each one request at a time, no pipelining), or, with
 * `shape.rate`, an open-loop load at that steady rate (paced-load.ts). Latency percentiles are computed from every response's own time (autocannon's histogram
 * only keeps whole milliseconds).
 */
export function runLoad(baseUrl: string, load: LoadRequest, shape: LoadShape): Promise<LoadResult> {
  const counted = (statusCode: number) =>
    shape.status === undefined
      ? statusCode >= 200 && statusCode < 300
      : statusCode === shape.status;
  if (shape.rate !== undefined) {
    if (load.conversation) throw new Error('a conversation cannot be paced');
    return runPacedLoad(
      new URL(`${baseUrl}${load.path}`),
      {
        method: load.method,
        headers: {
          ...(load.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...load.headers,
        },
        body: load.body,
      },
      { ...shape, rate: shape.rate, counted },
    ).then((answers) => summarise({ ...answers, runRps: [answers.ok / answers.seconds] }));
  }
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    // autocannon notices that a run by count is over only at its next 1 s sampling tick, and
    // reports that as the duration: such a run is timed here, from the start to the last answer.
    const startedAt = performance.now();
    let lastAnswerAt = startedAt;
    const conversation = load.conversation;
    const instance = autocannon(
      {
        url: `${baseUrl}${load.path}`,
        method: load.method,
        headers: {
          ...(load.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...load.headers,
        },
        body: load.body,
        connections: shape.connections,
        ...(shape.requests === undefined
          ? { duration: shape.seconds }
          : { amount: Math.max(shape.requests, shape.connections) }),
        pipelining: 1,
        timeout: 10,
        ...(conversation === undefined
          ? {}
          : {
              setupClient: (client: autocannon.Client) => {
                const connection = conversation();
                client.setRequests([
                  {
                    setupRequest: (request) => {
                      if (connection.body) return { ...request, body: connection.body() };
                      const next = connection.next!();
                      return {
                        ...request,
                        method: next.method,
                        path: next.path,
                        body: next.body,
                        headers: {
                          ...request.headers,
                          ...(next.body === undefined
                            ? {}
                            : { 'content-type': 'application/json' }),
                        },
                      };
                    },
                    onResponse: (status, body) => connection.answered(status, body),
                  },
                ]);
              },
            }),
      },
      (error, result) => {
        if (error) return reject(error);
        const statusCodes = Object.fromEntries(
          Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
        );
        const answers = Object.values(statusCodes).reduce((total, count) => total + count, 0);
        const ok = latencies.length;
        const seconds =
          shape.requests === undefined ? result.duration : (lastAnswerAt - startedAt) / 1000;
        resolve(
          summarise({
            ok,
            seconds,
            // autocannon's errors include its timeouts.
            failures: answers - ok + result.errors,
            statusCodes,
            runRps: [ok / seconds],
            latencies: latencies.sort((a, b) => a - b),
          }),
        );
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, ms: number) => {
      lastAnswerAt = performance.now();
      if (counted(statusCode)) latencies.push(ms);
    });
  });
}

/** Several runs of one target as if they were one: rps over the summed time, pooled latencies. */
export function mergeLoads(results: readonly LoadResult[]): LoadResult {
  const statusCodes: Record<string, number> = {};
  for (const result of results) {
    for (const [code, count] of Object.entries(result.statusCodes))
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
  }
  return summarise({
    ok: sum(results.map((result) => result.ok)),
    seconds: sum(results.map((result) => result.seconds)),
    failures: sum(results.map((result) => result.failures)),
    statusCodes,
    runRps: results.flatMap((result) => result.runRps),
    latencies: results.flatMap((result) => result.latencies).sort((a, b) => a - b),
    serverCpuMs: results.every((result) => result.serverCpuMs !== undefined)
      ? sum(results.map((result) => result.serverCpuMs!))
      : undefined,
  });
}

function summarise(raw: Omit<LoadResult, 'rps' | 'p50' | 'p99'>): LoadResult {
  return {
    ...raw,
    rps: raw.seconds > 0 ? raw.ok / raw.seconds : 0,
    p50: percentile(raw.latencies, 0.5),
    p99: percentile(raw.latencies, 0.99),
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Nearest-rank percentile of sorted values; NaN when there are none. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/** One target of a side-by-side measurement: where, and what, to send. */
export interface AlternatingRun {
  readonly name: string;
  readonly url: string;
  readonly request: LoadRequest;
  /** The CPU time so far of every process serving this run, in ms, to charge each slice. */
  readonly serverCpuMs?: () => number;
}

export interface AlternatingPlan {
  /** Measured seconds per run, split into `rounds` slices (one slice when there is one run). */
  readonly seconds: number;
  readonly rounds: number;
  /** Pause after each warm-up and each slice. */
  readonly pauseMs: number;
  /** Each run's warm-up, or undefined for none. */
  readonly warmup: LoadShape | undefined;
  /** One measured slice of `seconds`, given the run's warm-up. */
  slice(seconds: number, warmup: LoadResult | undefined): LoadShape;
  /** Called with every load run's result as it ends, warm-ups included. */
  onLoad?(result: LoadResult): void;
}

/**
 * Every run warmed up, then measured in short slices that alternate between the runs, so that
 * drift in the machine's speed (a shared VM) weighs on all of them alike; the slice order is
 * reversed every other round. Answers each run's slices merged, by run name.
 */
export async function alternateLoads(
  runs: readonly AlternatingRun[],
  plan: AlternatingPlan,
): Promise<Map<string, LoadResult>> {
  const state = runs.map((run) => ({
    run,
    warmup: undefined as LoadResult | undefined,
    slices: [] as LoadResult[],
  }));
  const rounds = runs.length > 1 ? plan.rounds : 1;
  const sliceSeconds = plan.seconds / rounds;
  for (const entry of state) {
    if (!plan.warmup) continue;
    entry.warmup = await runLoad(entry.run.url, entry.run.request, plan.warmup);
    plan.onLoad?.(entry.warmup);
    await sleep(plan.pauseMs);
  }
  for (let round = 0; round < rounds; round++) {
    for (const entry of round % 2 === 0 ? state : [...state].reverse()) {
      const cpuBefore = entry.run.serverCpuMs?.();
      const measured = await runLoad(
        entry.run.url,
        entry.run.request,
        plan.slice(sliceSeconds, entry.warmup),
      );
      const slice =
        cpuBefore === undefined
          ? measured
          : { ...measured, serverCpuMs: entry.run.serverCpuMs!() - cpuBefore };
      plan.onLoad?.(slice);
      entry.slices.push(slice);
      await sleep(plan.pauseMs);
    }
  }
  return new Map(state.map((entry) => [entry.run.name, mergeLoads(entry.slices)]));
}

/**
 * Calls `send` `count` times, one call at a time, the i-th no earlier than i / `rate` seconds
 * after the first: a steady low rate. Answers the results in order and the seconds it took.
 */
export async function paced<T>(
  rate: number,
  count: number,
  send: (index: number) => Promise<T>,
): Promise<{ results: T[]; seconds: number }> {
  const intervalMs = 1000 / rate;
  const results: T[] = [];
  const start = performance.now();
  for (let index = 0; index < count; index++) {
    const wait = start + index * intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    results.push(await send(index));
  }
  return { results, seconds: (performance.now() - start) / 1000 };
}

/** Sends `request` once with fetch, as autocannon sends it; answers the status and the body. */
export async function sendOnce(
  baseUrl: string,
  request: LoadRequest,
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: {
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...request.headers,
    },
    body: request.body,
  });
  return { status: response.status, text: await response.text() };
}
