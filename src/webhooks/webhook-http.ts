import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { ADDRESS_FORBIDDEN_CODE, guardedLookup, isForbiddenAddress } from './network-guard';

export interface WebhookPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  allowPrivateNetworks: boolean;
  /** Whole attempt: connect, response headers and body. Default 10 000. */
  timeoutMs?: number;
  /** Response body kept (and read) at most. Default 65 536. */
  maxResponseBytes?: number;
}

export interface WebhookResult {
  /** Null when no response status arrived. */
  statusCode: number | null;
  /**
   * Null when the exchange completed. Otherwise 'timeout', 'connection_refused', 'dns_failure',
   * 'address_forbidden', 'tls_error', 'invalid_url' or 'network_error: <code>'. May accompany a
   * status code when the response broke off or ran out of time after its headers.
   */
  error: string | null;
  durationMs: number;
  /** At most maxResponseBytes of the body, as UTF-8. */
  responseBody: string;
  /** From Retry-After (delta-seconds or HTTP-date, relative to now); null if absent or invalid. */
  retryAfterSeconds: number | null;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 65_536;

// Keep-alive pools are what let one dispatcher sustain ~1,000 deliveries/s to a single receiver
// without a TCP (and TLS) handshake per delivery and without exhausting ephemeral ports.
//
// No socket cap per origin: the dispatcher already bounds attempts per subscription, and a cap
// here would queue a healthy subscription's attempts behind a hanging one on the same host.
const AGENT_OPTIONS = {
  keepAlive: true,
  // Idle pooled sockets are dropped before common server keep-alive timeouts (5 s in Node) so a
  // POST, which Node never retries, is rarely written to a socket the server is closing.
  timeout: 4_000,
  scheduling: 'lifo',
} as const;

// Separate pools per policy: a socket opened while private networks were allowed must never be
// reused by a delivery that forbids them, and the guarded lookup sits on the agent because agent
// options override request options when Node creates the connection.
function createAgents(allowPrivateNetworks: boolean): { http: http.Agent; https: https.Agent } {
  const lookup = guardedLookup(allowPrivateNetworks);
  return {
    http: new http.Agent({ ...AGENT_OPTIONS, lookup }),
    https: new https.Agent({ ...AGENT_OPTIONS, lookup }),
  };
}

const guardedAgents = createAgents(false);
const openAgents = createAgents(true);

/** Closes every pooled socket; for tests and shutdown. Later posts open new sockets as needed. */
export function destroyWebhookAgents(): void {
  for (const agents of [guardedAgents, openAgents]) {
    agents.http.destroy();
    agents.https.destroy();
  }
}

/** POSTs one webhook delivery. Never throws, never follows redirects. */
export async function postWebhook(post: WebhookPost): Promise<WebhookResult> {
  const started = performance.now();
  const finish = (
    fields: Partial<Omit<WebhookResult, 'durationMs'>> & Pick<WebhookResult, 'error'>,
  ): WebhookResult => ({
    statusCode: null,
    responseBody: '',
    retryAfterSeconds: null,
    ...fields,
    durationMs: performance.now() - started,
  });

  let url: URL;
  try {
    url = new URL(post.url);
  } catch {
    return finish({ error: 'invalid_url' });
  }
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') return finish({ error: 'invalid_url' });

  // Node skips `lookup` for IP literals, so the agent's guard never sees them: check here.
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (!post.allowPrivateNetworks && net.isIP(host) !== 0 && isForbiddenAddress(host)) {
    return finish({ error: 'address_forbidden' });
  }

  const agents = post.allowPrivateNetworks ? openAgents : guardedAgents;
  const timeoutMs = post.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = post.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const body = Buffer.from(post.body, 'utf8');

  return new Promise<WebhookResult>((resolve) => {
    let settled = false;
    let statusCode: number | null = null;
    let retryAfterSeconds: number | null = null;
    const chunks: Buffer[] = [];
    let received = 0;

    const settle = (error: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // A decoder that is never ended drops a multi-byte character cut by the byte limit
      // instead of turning it into U+FFFD.
      const responseBody = new StringDecoder('utf8').write(Buffer.concat(chunks));
      resolve(finish({ statusCode, error, responseBody, retryAfterSeconds }));
    };

    let request: http.ClientRequest;
    const timer = setTimeout(() => {
      settle('timeout');
      request?.destroy();
    }, timeoutMs);

    try {
      request = (secure ? https : http).request(url, {
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        headers: {
          ...post.headers,
          'content-type': 'application/json',
          'content-length': String(body.length),
        },
      });
    } catch (err) {
      // Invalid header names or values throw synchronously.
      settle(describeError(err, secure));
      return;
    }

    request.on('error', (err) => settle(describeError(err, secure)));
    request.on('response', (response) => {
      statusCode = response.statusCode ?? null;
      retryAfterSeconds = parseRetryAfter(response.headers['retry-after']);
      response.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = maxBytes - received;
        if (chunk.length <= room) {
          chunks.push(chunk);
          received += chunk.length;
          return;
        }
        chunks.push(chunk.subarray(0, room));
        received = maxBytes;
        settle(null);
        // Reading on would buffer an unbounded body; destroying also keeps the socket out of the
        // pool, where its unread remainder would corrupt the next response.
        request.destroy();
      });
      response.on('end', () => settle(null));
      response.on('error', (err) => settle(describeError(err, secure)));
      response.on('close', () => {
        if (!response.complete) settle('network_error: ECONNRESET');
      });
    });
    request.end(body);
  });
}

/**
 * Seconds from now given by a Retry-After value (RFC 9110 §10.2.3): delta-seconds or an
 * HTTP-date, a past date giving 0. Null when absent or not one of those forms.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  nowMs: number = Date.now(),
): number | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    const seconds = Number(trimmed);
    return Number.isSafeInteger(seconds) ? seconds : null;
  }
  // Date.parse accepts almost anything ("1", "-5", "2024"); every HTTP-date form (IMF-fixdate,
  // RFC 850, asctime) starts with a day name, so require one before trusting it.
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /.test(trimmed)) return null;
  // asctime dates carry no zone but mean GMT; Date.parse would read them as local time.
  const at = Date.parse(/\d{4}$/.test(trimmed) ? `${trimmed} GMT` : trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'HOSTNAME_MISMATCH',
  'EPROTO',
]);

// Short, stable strings: they are stored with every attempt and shown to merchants, so they must
// not carry addresses or OS-specific wording.
function describeError(err: unknown, secure: boolean): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string') return 'network_error: unknown';
  if (code === ADDRESS_FORBIDDEN_CODE) return 'address_forbidden';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ENOTFOUND' || code.startsWith('EAI_')) return 'dns_failure';
  if (
    secure &&
    (TLS_CODES.has(code) || /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|ERR_OSSL_)/.test(code))
  ) {
    return 'tls_error';
  }
  return `network_error: ${code.replace(/[^A-Za-z0-9_]/g, '').slice(0, 64)}`;
}
