import { nextRetryDelayMs } from './retry-schedule';

const DEFAULT_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000, 86400];
const failed = { statusCode: 500, retryAfterSeconds: null };
const noJitter = () => 0;
const HOUR_MS = 60 * 60 * 1000;

describe('nextRetryDelayMs', () => {
  it('gives the default schedule 9 attempts over about two days', () => {
    const delays: number[] = [];
    let attemptsMade = 1;
    for (;;) {
      const delay = nextRetryDelayMs(DEFAULT_SCHEDULE, attemptsMade, failed, noJitter);
      if (delay === null) break;
      delays.push(delay);
      attemptsMade++;
    }
    expect(attemptsMade).toBe(9);
    expect(delays).toEqual(DEFAULT_SCHEDULE.map((seconds) => seconds * 1000));
    const totalHours = delays.reduce((sum, ms) => sum + ms, 0) / HOUR_MS;
    expect(totalHours).toBeGreaterThan(48);
    expect(totalHours).toBeLessThan(52);
  });

  it('answers null once the schedule is exhausted', () => {
    expect(nextRetryDelayMs(DEFAULT_SCHEDULE, 8, failed, noJitter)).toBe(86_400_000);
    expect(nextRetryDelayMs(DEFAULT_SCHEDULE, 9, failed, noJitter)).toBeNull();
    expect(nextRetryDelayMs(DEFAULT_SCHEDULE, 100, failed, noJitter)).toBeNull();
    expect(nextRetryDelayMs([], 1, failed, noJitter)).toBeNull();
    expect(nextRetryDelayMs([60], 1, failed, noJitter)).toBe(60_000);
    expect(nextRetryDelayMs([60], 2, failed, noJitter)).toBeNull();
  });

  it('adds between 0 and 10% of jitter, never less than the schedule', () => {
    expect(nextRetryDelayMs([300], 1, failed, () => 0)).toBe(300_000);
    expect(nextRetryDelayMs([300], 1, failed, () => 0.5)).toBe(315_000);
    const nearlyOne = 1 - Number.EPSILON;
    const max = nextRetryDelayMs([300], 1, failed, () => nearlyOne)!;
    expect(max).toBe(329_999);
    for (let i = 0; i < 1000; i++) {
      const delay = nextRetryDelayMs(DEFAULT_SCHEDULE, 2, failed)!;
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(300_000);
      expect(delay).toBeLessThan(330_000);
    }
  });

  it('keeps jitter within bounds even when the random source misbehaves', () => {
    expect(nextRetryDelayMs([100], 1, failed, () => -3)).toBe(100_000);
    expect(nextRetryDelayMs([100], 1, failed, () => 1)).toBe(109_999);
    expect(nextRetryDelayMs([100], 1, failed, () => 7)).toBe(109_999);
    expect(nextRetryDelayMs([100], 1, failed, () => Number.NaN)).toBe(100_000);
  });

  it.each([429, 503])('honours a longer Retry-After on %i', (statusCode) => {
    expect(nextRetryDelayMs([5], 1, { statusCode, retryAfterSeconds: 120 }, noJitter)).toBe(
      120_000,
    );
    // A Retry-After shorter than the schedule does not bring the retry forward.
    expect(nextRetryDelayMs([300], 1, { statusCode, retryAfterSeconds: 10 }, noJitter)).toBe(
      300_000,
    );
  });

  it('caps Retry-After at 24 hours', () => {
    const huge = { statusCode: 429, retryAfterSeconds: 10 * 24 * 3600 };
    expect(nextRetryDelayMs([5], 1, huge, noJitter)).toBe(24 * HOUR_MS);
    expect(nextRetryDelayMs([5], 1, { ...huge, statusCode: 503 }, noJitter)).toBe(24 * HOUR_MS);
  });

  it('ignores Retry-After on other statuses, without status, and when it is not positive', () => {
    for (const statusCode of [500, 502, 504, 410, 400, 200, null]) {
      expect(nextRetryDelayMs([5], 1, { statusCode, retryAfterSeconds: 3600 }, noJitter)).toBe(
        5000,
      );
    }
    for (const retryAfterSeconds of [0, -60, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(nextRetryDelayMs([5], 1, { statusCode: 429, retryAfterSeconds }, noJitter)).toBe(5000);
    }
  });

  it('still stops when the schedule is exhausted, whatever Retry-After says', () => {
    expect(
      nextRetryDelayMs(DEFAULT_SCHEDULE, 9, { statusCode: 429, retryAfterSeconds: 60 }),
    ).toBeNull();
  });

  it('refuses attempt counts below 1 and invalid schedule entries', () => {
    for (const attemptsMade of [0, -1, 1.5, Number.NaN]) {
      expect(() => nextRetryDelayMs(DEFAULT_SCHEDULE, attemptsMade, failed)).toThrow(RangeError);
    }
    expect(() => nextRetryDelayMs([-5], 1, failed)).toThrow(RangeError);
    expect(() => nextRetryDelayMs([Number.NaN], 1, failed)).toThrow(RangeError);
  });
});
