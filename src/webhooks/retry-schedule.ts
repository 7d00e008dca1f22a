const JITTER_FRACTION = 0.1;
const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;
// Only these statuses mean "come back later" (RFC 9110 §10.2.3, RFC 6585 §4); on other statuses a
// Retry-After is incidental and following it could let a broken endpoint stall its own retries.
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/**
 * When to try a delivery again. `schedule` is WEBHOOK_RETRY_SCHEDULE in seconds: N delays mean
 * N+1 attempts in total. `attemptsMade` counts attempts already made (>= 1). Returns the delay in
 * ms before the next attempt, or null when the schedule is exhausted.
 *
 * Jitter adds up to +10% of the scheduled delay (`random` in [0, 1), injectable for tests).
 * A Retry-After (seconds) sent with a 429 or 503 is honoured: the delay is the larger of the
 * jittered scheduled delay and Retry-After, Retry-After being capped at 24 hours; with other
 * statuses Retry-After is ignored. Whether to retry at all (a 410 disables the subscription) is
 * the caller's decision.
 */
export function nextRetryDelayMs(
  schedule: readonly number[],
  attemptsMade: number,
  last: { statusCode: number | null; retryAfterSeconds: number | null },
  random: () => number = Math.random,
): number | null {
  if (!Number.isSafeInteger(attemptsMade) || attemptsMade < 1) {
    throw new RangeError(`attemptsMade must be a whole number >= 1, got ${attemptsMade}`);
  }
  // The first attempt is immediate, so the delay before attempt k+1 is schedule[k-1].
  const scheduledSeconds = schedule[attemptsMade - 1];
  if (scheduledSeconds === undefined) return null;
  if (!Number.isFinite(scheduledSeconds) || scheduledSeconds < 0) {
    throw new RangeError(`Retry schedule delays must be seconds >= 0, got ${scheduledSeconds}`);
  }

  const scheduledMs = Math.round(scheduledSeconds * 1000);
  // Jitter only lengthens the delay, so a receiver never sees a retry earlier than the schedule
  // promises, while retries of many deliveries that failed together spread out instead of bursting.
  // Whole milliseconds kept strictly under +10%, even when float rounding or a bad source hits 1.
  const maxJitterMs = Math.max(Math.ceil(scheduledMs * JITTER_FRACTION) - 1, 0);
  const drawn = random();
  const random01 = drawn > 0 ? Math.min(drawn, 1) : 0;
  const jitterMs = Math.min(Math.floor(scheduledMs * JITTER_FRACTION * random01), maxJitterMs);
  const delayMs = scheduledMs + jitterMs;

  const { statusCode, retryAfterSeconds } = last;
  if (
    statusCode === null ||
    !RETRY_AFTER_STATUSES.has(statusCode) ||
    retryAfterSeconds === null ||
    !Number.isFinite(retryAfterSeconds) ||
    retryAfterSeconds <= 0
  ) {
    return delayMs;
  }
  // The cap bounds what a receiver can ask for, not the operator's own schedule: a scheduled delay
  // of a day plus jitter stays as configured.
  const retryAfterMs = Math.min(Math.ceil(retryAfterSeconds * 1000), MAX_RETRY_AFTER_MS);
  return Math.max(delayMs, retryAfterMs);
}
