import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, GraphQLError, type GraphQLSchema, parse } from 'graphql';
import type { Authenticator } from '../auth/authenticator';
import type { GraphqlCostBucket } from '../throttling/graphql-cost-bucket';
import { rateLimitHeaders } from '../throttling/rate-limit.guard';
import type { BucketTake } from '../throttling/token-bucket';
import type { GraphqlContext } from './graphql-context';
import { attachToOperation, graphqlCredentials } from './graphql-credentials';
import { measureQuery, QUERY_LIMITS, QUERY_TOO_COMPLEX } from './query-limits';

/** Refuses a document over the token limit, before it is measured (or run). */
export function assertTokenLimit(source: string): void {
  try {
    parse(source, { maxTokens: QUERY_LIMITS.tokens });
  } catch (error) {
    if (error instanceof GraphQLError && /tokens/.test(error.message))
      throw new GraphQLError(`The query has over ${QUERY_LIMITS.tokens} tokens.`, {
        extensions: { code: QUERY_TOO_COMPLEX, http: { status: 400 } },
      });
    // Other syntax errors are Apollo's to report.
  }
}

/** The bucket as `extensions.cost.throttleStatus` reports it (Shopify's names). */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export function throttleStatusOf(take: BucketTake): ThrottleStatus {
  return {
    maximumAvailable: take.limit.bucket,
    currentlyAvailable: take.remaining,
    restoreRate: take.limit.refillPerSecond,
  };
}

/**
 * Checks every operation against the per-query limits, charges its cost to the credential's
 * bucket for its store, and reports both in `extensions.cost` and the `RateLimit-*` headers
 * (CONTRACT.md). The WebSocket server runs the same checks in graphql-ws's onSubscribe.
 */
export function queryCostPlugin(
  authenticator: Authenticator,
  costs: GraphqlCostBucket,
): ApolloServerPlugin<GraphqlContext> {
  return {
    async requestDidStart() {
      let requestedQueryCost: number | undefined;
      let take: BucketTake | undefined;
      return {
        async didResolveOperation({ request, document, schema, contextValue, operationName }) {
          try {
            requestedQueryCost = costOf(
              schema,
              document,
              request.variables,
              operationName ?? undefined,
            );
          } catch (error) {
            if (error instanceof GraphQLError) error.extensions.http = { status: 400 };
            throw error;
          }
          const ctx = await resolveCredential(authenticator, contextValue);
          if (!ctx) return; // the guard answers UNAUTHENTICATED on the first field
          take = await costs.charge(ctx, requestedQueryCost);
          if (take && !take.taken) {
            const throttled = throttledError(requestedQueryCost, take);
            throttled.extensions.http = {
              status: 429,
              headers: new Map([
                ['retry-after', String(take.secondsUntilAvailable(requestedQueryCost))],
              ]),
            };
            throw throttled;
          }
        },
        async willSendResponse({ response }) {
          if (take)
            for (const [name, value] of Object.entries(rateLimitHeaders(take)))
              response.http.headers.set(name.toLowerCase(), value);
          if (response.body.kind !== 'single' || requestedQueryCost === undefined) return;
          const result = response.body.singleResult;
          result.extensions = {
            ...result.extensions,
            cost: {
              requestedQueryCost,
              // Fields are not counted as they resolve: what was asked for is what is charged.
              actualQueryCost: result.data === undefined ? 0 : requestedQueryCost,
              ...(take ? { throttleStatus: throttleStatusOf(take) } : {}),
            },
          };
        },
      };
    },
  };
}

/**
 * Apollo keeps one parsed document per query text, so a document's cost under given variables is
 * measured once, not on every request (a hot query's walk was 4% of the CPU). What goes over a
 * limit throws and is measured again next time; a few variants per document are kept.
 */
const measured = new WeakMap<DocumentNode, Map<string, number>>();
const COSTS_PER_DOCUMENT = 32;

function costOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): number {
  const key = JSON.stringify([operationName ?? null, variables ?? null]);
  const known = measured.get(document)?.get(key);
  if (known !== undefined) return known;
  const cost = measureQuery(schema, document, variables, operationName);
  const costs = measured.get(document) ?? new Map<string, number>();
  measured.set(document, costs);
  if (costs.size < COSTS_PER_DOCUMENT) costs.set(key, cost);
  return cost;
}

/**
 * `THROTTLED`: the bucket lacks the operation's cost now; nothing ran. The same error over HTTP
 * (with a 429) and on a graphql-ws subscribe message (the socket stays open).
 */
export function throttledError(requestedQueryCost: number, take: BucketTake): GraphQLError {
  return new GraphQLError(
    `This query costs ${requestedQueryCost} points and ${take.remaining} are available; they come back at ${take.limit.refillPerSecond} per second.`,
    {
      extensions: {
        code: 'THROTTLED',
        cost: { requestedQueryCost, actualQueryCost: 0, throttleStatus: throttleStatusOf(take) },
      },
    },
  );
}

/**
 * The operation's credential, resolved once by the same strategies as the guard's and kept for
 * it; undefined if refused (it costs nothing, and the guard answers why on the first field).
 */
async function resolveCredential(authenticator: Authenticator, context: GraphqlContext) {
  if (context.dukkadee) return context.dukkadee;
  try {
    const resolved = await authenticator.authenticateApi(graphqlCredentials(context));
    attachToOperation(context, resolved);
    return resolved;
  } catch {
    return undefined;
  }
}
