import { isTimestamp } from './validators';

describe('isTimestamp', () => {
  it.each([
    '2026-01-31T09:00:00Z',
    '2024-02-29T23:59:59.123456+05:30',
    '0001-01-01T00:00:00-00:00',
  ])('accepts %s', (value) => expect(isTimestamp(value)).toBe(true));

  it.each([
    '2026-13-45T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:60:00Z',
    '2026-01-01T00:00:60Z',
    '2026-01-01T00:00:00+24:00',
    '0000-01-01T00:00:00Z',
    '2026-01-01',
    '2026-W01-1',
    '2026-01-01 00:00:00Z',
    '',
  ])('refuses %s', (value) => expect(isTimestamp(value)).toBe(false));
});
