import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, registerDecorator, ValidateIf, ValidationOptions } from 'class-validator';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** An ISO 4217 currency code that the runtime knows, in upper case. */
export function IsCurrencyCode(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCurrencyCode',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must be an ISO 4217 currency code such as "EUR"', ...options },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && CURRENCIES.has(value),
      },
    });
}

export const HANDLE_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/**
 * A body field that may be left out but not sent as `null`. class-validator's `IsOptional` skips
 * every check for `null` too, so `{"title": null}` would pass validation and reach a NOT NULL
 * column (a 500), or silently mean "absent". No v1 request field takes `null`; query DTOs, whose
 * values can never be null, keep `IsOptional`.
 */
export function Omittable(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

/** What body DTOs pass to `PartialType`, so its optional fields also refuse `null`. */
export const PATCH_FIELDS = { skipNullProperties: false } as const;

const RFC_3339 =
  /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d{1,9})?(?:Z|([+-])(\d\d):(\d\d))$/;

/**
 * An RFC 3339 timestamp with a real calendar date and time (no 2026-02-30T25:00:00Z, which a
 * pattern alone lets through), that PostgreSQL's timestamptz can hold: years 1 to 9999.
 */
export function isTimestamp(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = RFC_3339.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const [offsetHours, offsetMinutes] = [Number(match[8] ?? 0), Number(match[9] ?? 0)];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return (
    year >= 1 &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59
  );
}

/** `?updatedSince=` of the lists: documented, optional, and a valid RFC 3339 timestamp. */
export function UpdatedSince(resources: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      format: 'date-time',
      description: `Only ${resources} updated at or after this time (RFC 3339)`,
    }),
    IsOptional(),
    (target: object, propertyName: string | symbol) =>
      registerDecorator({
        name: 'isTimestamp',
        target: target.constructor,
        propertyName: String(propertyName),
        options: {
          message: '$property must be an RFC 3339 timestamp such as 2026-01-31T09:00:00Z',
        },
        validator: { validate: isTimestamp },
      }),
  );
}

/**
 * An absolute http(s) URL as WHATWG URL parsing (what the webhook client connects with) reads it.
 * validator.js's isURL refuses hosts such as `2130706433` that the client would happily resolve,
 * so the network guard, not this rule, decides which addresses are reachable.
 */
export function IsHttpUrl(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isHttpUrl',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must be an absolute http:// or https:// URL' },
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || !URL.canParse(value)) return false;
          const { protocol } = new URL(value);
          return protocol === 'http:' || protocol === 'https:';
        },
      },
    });
}
