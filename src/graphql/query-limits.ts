import {
  DocumentNode,
  FragmentDefinitionNode,
  getNamedType,
  GraphQLError,
  GraphQLSchema,
  isCompositeType,
  Kind,
  SelectionSetNode,
} from 'graphql';
import { ComplexityEstimatorArgs, getComplexity } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE } from '../common/pagination';

/** Per-query limits: a query over any of them is refused before anything runs. */
export const QUERY_LIMITS = {
  depth: 10,
  cost: 1_000,
  aliases: 30,
  tokens: 2_000,
} as const;

export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

function tooComplex(message: string, extra: Record<string, number> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: QUERY_TOO_COMPLEX, ...extra } });
}

/**
 * The cost of a query, counted like Shopify's: every object (and list of objects) costs 1,
 * scalars cost nothing, and a connection's children count once per node it can return (`first`,
 * or the default page size). Fifty products with their variants cost about 100; the limit is
 * 1,000 per query.
 */
function estimateCost({ field, args, childComplexity }: ComplexityEstimatorArgs): number {
  const returnsObject = isCompositeType(getNamedType(field.type));
  if (typeof args.first === 'number' || /Connection$/.test(getNamedType(field.type).name))
    return 1 + (typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE) * childComplexity;
  return (returnsObject ? 1 : 0) + childComplexity;
}

/**
 * Depth, aliases and cost of an operation; throws QUERY_TOO_COMPLEX over any limit, and answers
 * the cost, which the credential's bucket is charged.
 */
export function measureQuery(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  let aliases = 0;
  const depthOf = (selections: SelectionSetNode, seen: ReadonlySet<string>): number => {
    let deepest = 0;
    for (const selection of selections.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) aliases += 1;
        // Introspection is public and nests by design (ofType { ofType { … } }); the token
        // limit bounds it, and it touches no data.
        if (INTROSPECTION_ROOTS.has(selection.name.value)) continue;
        const below = selection.selectionSet ? depthOf(selection.selectionSet, seen) : 0;
        deepest = Math.max(deepest, 1 + below);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // A cycle is invalid GraphQL (validation reports it); here it only must not loop.
        if (fragment && !seen.has(name))
          deepest = Math.max(deepest, depthOf(fragment.selectionSet, new Set([...seen, name])));
      }
    }
    return deepest;
  };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const depth = depthOf(definition.selectionSet, new Set());
    if (depth > QUERY_LIMITS.depth)
      throw tooComplex(`The query is ${depth} levels deep; the limit is ${QUERY_LIMITS.depth}.`, {
        depth,
        maximumDepth: QUERY_LIMITS.depth,
      });
  }
  if (aliases > QUERY_LIMITS.aliases)
    throw tooComplex(`The query has ${aliases} aliases; the limit is ${QUERY_LIMITS.aliases}.`);
  const cost = getComplexity({
    schema,
    query: document,
    variables,
    operationName,
    estimators: [estimateCost],
  });
  if (cost > QUERY_LIMITS.cost)
    throw tooComplex(`The query costs ${cost} points; the limit is ${QUERY_LIMITS.cost}.`, {
      requestedQueryCost: cost,
      maximumCost: QUERY_LIMITS.cost,
    });
  return cost;
}
