/** The part of autocannon 9's programmatic API the benchmark uses (the package ships no types). */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Requests to send in all (instead of a duration); the run ends when all are answered. */
      amount?: number;
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      pipelining?: number;
      /** Seconds before a request counts as a timeout. */
      timeout?: number;
      /**
       * Requests per second over all connections: each connection may send its share per second,
       * back to back, then waits for the next second (the connections' seconds are in phase).
       */
      overallRate?: number;
      /** Called with each connection's client as it is created, before its first request. */
      setupClient?: (client: Client) => void;
    }

    /** A request of `Client.setRequests`: the run's method, path, headers and body by default. */
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      /** Called as each request is built, just before it is sent; answers the request to send. */
      setupRequest?: (request: Request, context: Record<string, unknown>) => Request;
      /** Called with each answer (body as text) before the connection's next request is built. */
      onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
    }

    /** One connection (`setupClient`), one request at a time without pipelining. */
    interface Client {
      /** Replaces the requests this connection sends, in turn. */
      setRequests(requests: Request[]): void;
    }

    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      p50: number;
      p90: number;
      p99: number;
    }

    interface Result {
      /** Seconds actually run. */
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      resets: number;
      '2xx': number;
      latency: Histogram;
      requests: Histogram & { sent: number };
      statusCodeStats: Record<string, { count: number }>;
    }

    interface Instance extends EventEmitter {
      stop(): void;
    }
  }

  function autocannon(
    options: autocannon.Options,
    callback: (error: Error | null, result: autocannon.Result) => void,
  ): autocannon.Instance;

  export = autocannon;
}
