import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, parse } from 'graphql';
import type { CredentialResolver } from '../auth/credential-resolver';
import { CostBuckets, ThrottleStatus } from './cost-buckets';
import { authorizationOf, GraphqlContext } from './graphql-context';
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

/**
 * Checks every operation against the per-query limits, charges its cost to the credential's
 * bucket, and reports both in `extensions.cost` (CONTRACT.md). The WebSocket server runs the
 * same checks in graphql-ws's onSubscribe.
 */
export function queryCostPlugin(
  credentials: CredentialResolver,
  buckets: CostBuckets,
): ApolloServerPlugin<GraphqlContext> {
  return {
    async serverWillStart() {
      return {
        async serverWillStop() {
          await buckets.close();
        },
      };
    },
    async requestDidStart() {
      let requestedQueryCost: number | undefined;
      let throttleStatus: ThrottleStatus | undefined;
      return {
        async didResolveOperation({ request, document, schema, contextValue, operationName }) {
          try {
            requestedQueryCost = measureQuery(
              schema,
              document,
              request.variables,
              operationName ?? undefined,
            );
          } catch (error) {
            if (error instanceof GraphQLError) error.extensions.http = { status: 400 };
            throw error;
          }
          const ctx = await resolveCredential(credentials, contextValue);
          if (!ctx) return; // the guard answers UNAUTHENTICATED on the first field
          const { taken, status } = await buckets.take(ctx.actor.id, requestedQueryCost);
          throttleStatus = status;
          if (!taken)
            throw new GraphQLError(
              `This query costs ${requestedQueryCost} points and ${status.currentlyAvailable} are available; they come back at ${status.restoreRate} per second.`,
              {
                extensions: {
                  code: 'THROTTLED',
                  http: {
                    status: 429,
                    headers: new Map([
                      [
                        'retry-after',
                        String(
                          Math.ceil(
                            (requestedQueryCost - status.currentlyAvailable) / status.restoreRate,
                          ),
                        ),
                      ],
                    ]),
                  },
                  cost: { requestedQueryCost, actualQueryCost: 0, throttleStatus: status },
                },
              },
            );
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || requestedQueryCost === undefined) return;
          const result = response.body.singleResult;
          result.extensions = {
            ...result.extensions,
            cost: {
              requestedQueryCost,
              // Fields are not counted as they resolve: what was asked for is what is charged.
              actualQueryCost: result.data === undefined ? 0 : requestedQueryCost,
              ...(throttleStatus ? { throttleStatus } : {}),
            },
          };
        },
      };
    },
  };
}

/** The operation's credential, resolved once and kept for the guard; undefined if invalid. */
async function resolveCredential(credentials: CredentialResolver, context: GraphqlContext) {
  if (context.dukkadee) return context.dukkadee;
  try {
    context.dukkadee = await credentials.resolve(
      authorizationOf(context),
      context.request ? String(context.request.id) : 'ws',
    );
    if (context.request) context.request.dukkadeeContext = context.dukkadee;
    return context.dukkadee;
  } catch {
    return undefined;
  }
}
