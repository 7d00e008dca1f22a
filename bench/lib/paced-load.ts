import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** What one paced run measured, before it is summarised like a closed-loop run. */
export interface PacedAnswers {
  readonly ok: number;
  readonly seconds: number;
  readonly failures: number;
  readonly statusCodes: Record<string, number>;
  readonly latencies: number[];
}

export interface PacedShape {
  /** Requests per second, evenly spaced: the i-th is due at i / rate seconds. */
  readonly rate: number;
  readonly seconds?: number;
  readonly requests?: number;
  /** Keep-alive connections at most; a request due while all are busy waits for one. */
  readonly connections: number;
  readonly counted: (status: number) => boolean;
}

export interface PacedRequest {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/**
 * An open-loop load at a steady rate, written here because autocannon's `overallRate` is a budget
 * per connection and second, spent back to back as each second starts: "100/s" over 10
 * connections is a burst of 10 concurrent requests every second, whose queueing its latencies
 * then report. Here the i-th request is due at i / rate seconds whatever the earlier ones do, and
 * its latency counts from when it was due, so a server that falls behind shows its queue (no
 * coordinated omission). Requests still unanswered 10 s after their time are failures.
 */
export async function runPacedLoad(
  url: URL,
  request: PacedRequest,
  shape: PacedShape,
): Promise<PacedAnswers> {
  const agent = new Agent({ keepAlive: true, maxSockets: shape.connections });
  const total = shape.requests ?? Math.max(1, Math.round(shape.rate * (shape.seconds ?? 1)));
  const intervalMs = 1000 / shape.rate;
  const statusCodes: Record<string, number> = {};
  const latencies: number[] = [];
  let failures = 0;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  try {
    for (let index = 0; index < total; index++) {
      const due = start + index * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      inFlight.push(
        send(url, request, agent).then(
          (status) => {
            statusCodes[status] = (statusCodes[status] ?? 0) + 1;
            if (shape.counted(status)) latencies.push(performance.now() - due);
            else failures += 1;
          },
          () => {
            failures += 1;
          },
        ),
      );
    }
    await Promise.all(inFlight);
  } finally {
    agent.destroy();
  }
  return {
    ok: latencies.length,
    // The time the schedule spans: the rate asked for is what a keeping-up server answers.
    seconds: (total * intervalMs) / 1000,
    failures,
    statusCodes,
    latencies: latencies.sort((a, b) => a - b),
  };
}

function send(url: URL, request: PacedRequest, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: request.method, headers: request.headers, agent, timeout: 10_000 },
      (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
        response.once('error', reject);
      },
    );
    outgoing.once('timeout', () => outgoing.destroy(new Error('timed out')));
    outgoing.once('error', reject);
    outgoing.end(request.body);
  });
}
