import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { isTimestamp } from '../common/validation/validators';

/**
 * A scalar whose input values pass through one check that returns the JSON value. Output values
 * come from the services' resources, already in that form: `trustOutput` skips the check there
 * (it showed in profiles of large pages).
 */
function checkedScalar<T>(
  definition: {
    name: string;
    description: string;
    literal: Kind.INT | Kind.STRING | Kind.OBJECT;
    trustOutput?: (value: unknown) => value is T;
  },
  check: (value: unknown) => T | undefined,
  requirement: string,
): GraphQLScalarType<T, T> {
  const coerce = (value: unknown): T => {
    const checked = check(value);
    if (checked === undefined)
      throw new GraphQLError(`${definition.name} must be ${requirement}.`, {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    return checked;
  };
  return new GraphQLScalarType<T, T>({
    name: definition.name,
    description: definition.description,
    serialize: (value) => (definition.trustOutput?.(value) ? value : coerce(value)),
    parseValue: coerce,
    parseLiteral(ast) {
      if (ast.kind === Kind.INT && definition.literal === Kind.INT)
        return coerce(Number(ast.value));
      if (ast.kind === Kind.STRING && definition.literal === Kind.STRING) return coerce(ast.value);
      // Output-only scalars (JSONObject) take no literals.
      return coerce(undefined);
    },
  });
}

/**
 * An integer up to 2^53 - 1, written as a JSON number. GraphQL's Int stops at 2^31 - 1, which
 * money in minor units passes (21,474,836.47 in a two-decimal currency, far less in others).
 */
export const SafeInt = checkedScalar(
  {
    name: 'SafeInt',
    description: 'An integer from -(2^53 - 1) to 2^53 - 1, such as an amount in minor units.',
    literal: Kind.INT,
  },
  (value) => (typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined),
  'an integer between -(2^53 - 1) and 2^53 - 1',
);

/**
 * An RFC 3339 timestamp, written exactly as REST writes it (UTC, milliseconds). The resources
 * the services return already hold these strings, so no Date is made and parsed back.
 */
export const DateTime = checkedScalar(
  {
    name: 'DateTime',
    description: 'An RFC 3339 timestamp, such as 2026-11-24T18:13:06.223Z.',
    literal: Kind.STRING,
    // The resources hold Date.toISOString() output; only input needs the calendar check.
    trustOutput: (value): value is string => typeof value === 'string',
  },
  (value) => (value instanceof Date ? value.toISOString() : isTimestamp(value) ? value : undefined),
  'an RFC 3339 timestamp such as 2026-01-31T09:00:00Z',
);

/** Any JSON object, passed through as is: the event envelope of `Event.payload`. */
export const JSONObject = checkedScalar<Record<string, unknown>>(
  {
    name: 'JSONObject',
    description: 'A JSON object, such as the event envelope of Event.payload.',
    literal: Kind.OBJECT,
  },
  (value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined,
  'a JSON object',
);
