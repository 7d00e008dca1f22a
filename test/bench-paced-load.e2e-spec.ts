import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { runLoad } from '../bench/lib/load';

/**
 * The bench's steady-rate rows are an open loop: requests spread over the second rather than
 * sent as a burst when it starts, and a server that falls behind shows its queue in the
 * latencies (counted from when each request was due).
 */
describe('bench: the paced load', () => {
  let server: Server;
  let baseUrl: string;
  let delayMs = 0;
  const arrivals: number[] = [];

  beforeAll(async () => {
    server = createServer((_request, response) => {
      arrivals.push(performance.now());
      setTimeout(() => response.end('ok'), delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('spreads the requests over the run instead of bursting them at its start', async () => {
    arrivals.length = 0;
    const started = performance.now();
    const result = await runLoad(
      baseUrl,
      { method: 'GET', path: '/' },
      { rate: 40, seconds: 1, connections: 10 },
    );
    expect(result).toMatchObject({ ok: 40, failures: 0, seconds: 1 });
    // A burst would have sent all 40 in the first few milliseconds; paced, each quarter of the
    // second sees about a quarter of them.
    const inFirstQuarter = arrivals.filter((at) => at - started < 250).length;
    expect(inFirstQuarter).toBeGreaterThanOrEqual(5);
    expect(inFirstQuarter).toBeLessThanOrEqual(15);
  });

  it('counts the wait of a request queued behind busy connections in its latency', async () => {
    delayMs = 50;
    // One connection, a request every 10 ms, 50 ms each: the queue grows by 40 ms a request.
    const result = await runLoad(
      baseUrl,
      { method: 'GET', path: '/' },
      { rate: 100, requests: 20, connections: 1 },
    );
    delayMs = 0;
    expect(result.ok).toBe(20);
    // The last one was due at 190 ms and answered after 20 × 50 ms: it waited ~800 ms.
    expect(result.latencies[result.latencies.length - 1]).toBeGreaterThan(500);
  });
});
