import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

function asSafeInteger(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new GraphQLError('SafeInt must be an integer between -(2^53 - 1) and 2^53 - 1.', {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

/**
 * An integer up to 2^53 - 1, written as a JSON number. GraphQL's Int stops at 2^31 - 1, which
 * money in minor units passes (21,474,836.47 in a two-decimal currency, far less in others).
 */
export const SafeInt = new GraphQLScalarType({
  name: 'SafeInt',
  description: 'An integer from -(2^53 - 1) to 2^53 - 1, such as an amount in minor units.',
  serialize: asSafeInteger,
  parseValue: asSafeInteger,
  parseLiteral(ast) {
    if (ast.kind !== Kind.INT) throw new GraphQLError('SafeInt must be an integer literal.');
    return asSafeInteger(Number(ast.value));
  },
});
