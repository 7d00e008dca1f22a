import { DukkadeeError, parseRetryAfter } from './errors.js';
import { mayRepeat, retryDelay, sleep } from './retry.js';

function failure(status: number, retryAfter?: string): DukkadeeError {
  const headers = new Headers(retryAfter === undefined ? {} : { 'retry-after': retryAfter });
  return new DukkadeeError(new Response('{}', { status, headers }), {});
}

describe('retryDelay', () => {
  it('waits what Retry-After says on 429 and 503', () => {
    expect(retryDelay(2, failure(429, '2'), 0)).toBe(2000);
    expect(retryDelay(2, failure(503, '0'), 0)).toBe(0);
  });

  it('retries nothing but 429 and 503', () => {
    for (const status of [400, 404, 409, 500, 502])
      expect(retryDelay(2, failure(status), 0)).toBeUndefined();
  });

  it('stops after maxAttempts, counting the first', () => {
    expect(retryDelay(3, failure(429, '1'), 0, { maxAttempts: 3 })).toBe(1000);
    expect(retryDelay(4, failure(429, '1'), 0, { maxAttempts: 3 })).toBeUndefined();
    expect(retryDelay(2, failure(429, '1'), 0, { maxAttempts: 1 })).toBeUndefined();
  });

  it('does not start a wait that would pass the total budget', () => {
    expect(retryDelay(2, failure(429, '3600'), 0)).toBeUndefined();
    expect(retryDelay(3, failure(429, '5'), 26_000, { maxTotalDelayMs: 30_000 })).toBeUndefined();
    expect(retryDelay(3, failure(429, '4'), 26_000, { maxTotalDelayMs: 30_000 })).toBe(4000);
  });

  it('backs off with jitter when there is no Retry-After: half to all of a doubling delay', () => {
    const low = () => 0;
    const high = () => 1;
    expect(retryDelay(2, failure(503), 0, { baseDelayMs: 500 }, low)).toBe(250);
    expect(retryDelay(2, failure(503), 0, { baseDelayMs: 500 }, high)).toBe(500);
    expect(retryDelay(3, failure(503), 0, { baseDelayMs: 500 }, high)).toBe(1000);
    expect(retryDelay(4, failure(503), 0, { baseDelayMs: 500, maxAttempts: 10 }, low)).toBe(1000);
    // The doubling stops at 8 s.
    expect(retryDelay(9, failure(503), 0, { maxAttempts: 10 }, high)).toBe(8000);
  });
});

describe('mayRepeat', () => {
  const headers = (entries: Record<string, string> = {}) => new Headers(entries);

  it('repeats idempotent methods', () => {
    for (const method of ['GET', 'HEAD', 'PUT', 'DELETE'])
      expect(mayRepeat(method, headers(), { keyHonoured: false })).toBe(true);
  });

  it('repeats a POST only with a key the route honours', () => {
    const keyed = headers({ 'Idempotency-Key': 'k' });
    expect(mayRepeat('POST', keyed, { keyHonoured: true })).toBe(true);
    expect(mayRepeat('POST', keyed, { keyHonoured: false })).toBe(false);
    expect(mayRepeat('POST', headers(), { keyHonoured: true })).toBe(false);
  });

  it('repeats a PATCH only when If-Match makes it conditional', () => {
    expect(mayRepeat('PATCH', headers({ 'If-Match': '"3"' }), { keyHonoured: false })).toBe(true);
    expect(mayRepeat('PATCH', headers(), { keyHonoured: false })).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-12-02T10:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7);
    expect(parseRetryAfter('Wed, 02 Dec 2026 10:00:05 GMT', now)).toBe(5);
    expect(parseRetryAfter('Wed, 02 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('sleep', () => {
  it('rejects with the reason as soon as its signal aborts', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});
