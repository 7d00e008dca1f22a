import pino from 'pino';
import { Writable } from 'node:stream';
import { BoundedWarnings } from './bounded-warnings';

describe('BoundedWarnings', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  const capture = () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    return { lines, logger: pino({ level: 'warn' }, sink) };
  };

  it('writes the first warning of a kind at once and the rest as one count per interval', () => {
    const { lines, logger } = capture();
    const warnings = new BoundedWarnings(logger, 10_000);
    for (let i = 0; i < 500; i++) warnings.warn('redis_publish', { attempt: i }, 'publish failed');
    warnings.warn('lock_timeout', { storeId: 'sto_1' }, 'lock waited too long');
    expect(lines.map((line) => [line.kind, line.attempt ?? line.storeId])).toEqual([
      ['redis_publish', 0],
      ['lock_timeout', 'sto_1'],
    ]);
    jest.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatchObject({ kind: 'redis_publish', suppressed: 499, attempt: 499 });
    // Quiet afterwards: nothing more is written, and the next occurrence is logged at once.
    jest.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(3);
    warnings.warn('redis_publish', { attempt: 500 }, 'publish failed');
    expect(lines).toHaveLength(4);
    expect(lines[3]).not.toHaveProperty('suppressed');
  });
});
