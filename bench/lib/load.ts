import autocannon from 'autocannon';

export interface LoadRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path and query, e.g. `/v1/products?limit=50`. */
  readonly path: string;
  readonly headers?: Record<string, string>;
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
  /** autocannon's `overallRate`: at most this many requests per second over all connections. */
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
}

/**
 * Runs autocannon in this process against `baseUrl` for `shape.seconds` (or `shape.requests`) with
 * `shape.connections` concurrent connections (each one request at a time, no pipelining), paced by
 * `shape.rate` when set. Latency percentiles are computed from every response's own time (autocannon's histogram
 * only keeps whole milliseconds).
 */
export function runLoad(baseUrl: string, load: LoadRequest, shape: LoadShape): Promise<LoadResult> {
  const counted = (statusCode: number) =>
    shape.status === undefined
      ? statusCode >= 200 && statusCode < 300
      : statusCode === shape.status;
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
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
        ...(shape.rate === undefined ? {} : { overallRate: shape.rate }),
      },
      (error, result) => {
        if (error) return reject(error);
        const statusCodes = Object.fromEntries(
          Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
        );
        const answers = Object.values(statusCodes).reduce((total, count) => total + count, 0);
        const ok = latencies.length;
        resolve(
          summarise({
            ok,
            seconds: result.duration,
            // autocannon's errors include its timeouts.
            failures: answers - ok + result.errors,
            statusCodes,
            runRps: [ok / result.duration],
            latencies: latencies.sort((a, b) => a - b),
          }),
        );
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, ms: number) => {
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
