import { createServer, IncomingHttpHeaders, Server } from 'node:http';

/** One webhook request as a receiver got it. */
export interface ReceivedWebhook {
  /** The request path: which subscription it was sent for (the bench gives each its own). */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  readonly body: string;
  /** `monotonicMs()` once the whole body had arrived. */
  readonly at: number;
}

/** What the receiver process (bench/webhook-receiver.ts) answers on `GET /stats`. */
export interface ReceiverStats {
  /** Every POST. */
  readonly requests: number;
  /** Distinct (path, `webhook-id`) pairs. */
  readonly unique: number;
  /** POSTs of a pair already received. */
  readonly duplicates: number;
  /** POSTs without a well-formed `webhook-signature`, `webhook-id` or `webhook-timestamp`. */
  readonly malformed: number;
  /** Distinct pairs per path. */
  readonly perPath: Record<string, number>;
  /** `monotonicMs()` of the first POST, of the last one, and of the last new pair; null before. */
  readonly firstAt: number | null;
  readonly lastAt: number | null;
  readonly lastUniqueAt: number | null;
}

/**
 * Milliseconds on CLOCK_MONOTONIC, the one clock that all processes of the machine share: a
 * receiver in another process stamps its arrivals on the same clock as the benchmark.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** `v1,` and the base64 of a 32-byte HMAC-SHA256, space-separated when several secrets sign. */
const SIGNATURE = /^v1,[A-Za-z0-9+/]{43}=(?: v1,[A-Za-z0-9+/]{43}=)*$/;

export function isWellFormedSignature(value: string | string[] | undefined): boolean {
  return typeof value === 'string' && SIGNATURE.test(value);
}

/**
 * A webhook endpoint that answers every POST with 204 as soon as its body has arrived (keep-alive,
 * as a real receiver that queues the work would) and hands it to `onWebhook`; any other request
 * goes to `onOther` (404 without one). Listens on 127.0.0.1:`port` (0: any free port).
 */
export async function startWebhookReceiver(options: {
  readonly port: number;
  onWebhook(webhook: ReceivedWebhook): void;
  onOther?(path: string): { status: number; body: unknown };
}): Promise<{ readonly server: Server; readonly url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    if (request.method !== 'POST') {
      request.resume();
      const answer = options.onOther?.(path) ?? { status: 404, body: { error: 'not_found' } };
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer.body));
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = monotonicMs();
      response.writeHead(204);
      response.end();
      options.onWebhook({
        path,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at,
      });
    });
  });
  // Longer than the dispatcher's pooled-socket idle timeout (4 s), as Node's default (5 s) is.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('The receiver has no address');
  return {
    server,
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
