import type { DukkadeeError } from './errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included. Default 3; 1 turns retries off. */
  readonly maxAttempts?: number;
  /** The most the client waits between attempts of one call, in all. Default 30 000 ms. */
  readonly maxTotalDelayMs?: number;
  /** The first backoff when the server gives no `Retry-After`; it doubles per attempt. Default 500 ms. */
  readonly baseDelayMs?: number;
}

const RETRIED_STATUSES = new Set([429, 503]);
const BACKOFF_CEILING_MS = 8_000;

/**
 * How long to wait before attempt number `attempt` (2 for the first retry), or undefined when the
 * call should fail now: not a 429 or 503, out of attempts, or a wait past the total budget (a
 * `Retry-After` of an hour is not waited out; the error carries it instead). The server's
 * `Retry-After` is honoured as given; without one, the backoff doubles with jitter, so that many
 * clients turned away at once do not return at once.
 */
export function retryDelay(
  attempt: number,
  error: DukkadeeError,
  waitedMs: number,
  options: RetryOptions = {},
  random: () => number = Math.random,
): number | undefined {
  const { maxAttempts = 3, maxTotalDelayMs = 30_000, baseDelayMs = 500 } = options;
  if (!RETRIED_STATUSES.has(error.status) || attempt > maxAttempts) return undefined;
  const delay =
    error.retryAfter !== undefined
      ? error.retryAfter * 1000
      : jittered(Math.min(BACKOFF_CEILING_MS, baseDelayMs * 2 ** (attempt - 2)), random);
  return waitedMs + delay > maxTotalDelayMs ? undefined : delay;
}

/** Between half the backoff and all of it ("equal jitter"): never hammering, never in step. */
function jittered(backoffMs: number, random: () => number): number {
  return Math.round(backoffMs / 2 + (random() * backoffMs) / 2);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/**
 * A request may be sent again when doing it twice does no more than doing it once: the
 * idempotent methods of RFC 9110, a POST the server deduplicates by its Idempotency-Key, and a
 * PATCH made conditional by If-Match (a second one after a success answers 412).
 */
export function mayRepeat(
  method: string,
  headers: Headers,
  options: { keyHonoured: boolean },
): boolean {
  if (SAFE_METHODS.has(method)) return true;
  if (method === 'POST') return options.keyHonoured && headers.has('idempotency-key');
  if (method === 'PATCH') return headers.has('if-match');
  return false;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
