import { Writable } from 'node:stream';
import pino from 'pino';
import { RateLimitedLog } from './rate-limited-log';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

describe('RateLimitedLog', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('logs the first failure of a kind, then one line per interval with the count suppressed', () => {
    const { logger, lines } = capture();
    const log = new RateLimitedLog(logger, 10_000);
    for (let i = 0; i < 500; i++)
      log.warn('redis-publish', { eventId: `evt_${i}` }, 'publish failed');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'publish failed',
      kind: 'redis-publish',
      eventId: 'evt_0',
    });

    jest.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      msg: 'publish failed (repeated)',
      suppressed: 499,
      intervalMs: 10_000,
      eventId: 'evt_499',
    });

    // Still failing in the next interval: counted again, one line.
    for (let i = 0; i < 300; i++) log.warn('redis-publish', {}, 'publish failed');
    jest.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ suppressed: 300 });

    // Recovered: the interval closes without a line, and the next failure is logged at once.
    jest.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(3);
    log.warn('redis-publish', {}, 'publish failed');
    expect(lines).toHaveLength(4);
    expect(lines[3]).not.toHaveProperty('suppressed');
  });

  it('counts each kind on its own', () => {
    const { logger, lines } = capture();
    const log = new RateLimitedLog(logger, 10_000);
    log.warn('redis-publish', {}, 'publish failed');
    log.error('job-queue', {}, 'job queue error');
    log.warn('redis-publish', {}, 'publish failed');
    expect(lines.map((line) => line.kind)).toEqual(['redis-publish', 'job-queue']);
    expect(lines[1].level).toBe(50);
  });

  it('writes what it still counts when flushed at shutdown', () => {
    const { logger, lines } = capture();
    const log = new RateLimitedLog(logger, 10_000);
    log.warn('redis-connection', {}, 'connection failed');
    log.warn('redis-connection', {}, 'connection failed');
    log.flush();
    expect(lines[1]).toMatchObject({ suppressed: 1 });
    jest.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(2);
  });
});
