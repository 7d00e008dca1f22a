import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { CatalogModule } from '../catalog/catalog.module';
import { CustomersModule } from '../customers/customers.module';
import { InventoryModule } from '../inventory/inventory.module';
import { LOGGER } from '../observability/logger';
import { OrdersModule } from '../orders/orders.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ExecutionResult, GraphQLError, GraphQLSchema, parse } from 'graphql';
import type { SubscribePayload, Context as WebSocketContext } from 'graphql-ws';
import { APP_CONFIG, AppConfig } from '../config/config';
import { CostBuckets } from './cost-buckets';
import { assertTokenLimit, queryCostPlugin } from './query-cost.plugin';
import { measureQuery, QUERY_TOO_COMPLEX } from './query-limits';
import { CredentialResolver } from '../auth/credential-resolver';
import { newId } from '../common/ids';
import { authorizationOf, GraphqlContext } from './graphql-context';
import { SubscriptionsResolver } from './resolvers/subscriptions.resolver';
import { formatGraphqlError } from './graphql-errors';
import { CatalogResolver } from './resolvers/catalog.resolver';
import { CustomersResolver, OrdersResolver } from './resolvers/commerce.resolver';
import { WebhooksResolver } from './resolvers/webhooks.resolver';

/** Subscriptions one WebSocket connection may hold at once. */
const MAX_SUBSCRIPTIONS_PER_SOCKET = 20;

/**
 * GraphQL at /graphql: code-first resolvers over the same services as REST. The schema is built
 * in memory; `npm run graphql:schema` writes it to schema.graphql, which a test keeps in step.
 */
@Module({
  imports: [
    CatalogModule,
    CustomersModule,
    OrdersModule,
    InventoryModule,
    WebhooksModule,
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [LOGGER, CredentialResolver, APP_CONFIG],
      useFactory: (
        logger: Logger,
        credentials: CredentialResolver,
        config: AppConfig,
      ): ApolloDriverConfig => {
        const formatError = formatGraphqlError(logger);
        const buckets = new CostBuckets(
          config.graphqlCost.bucket,
          config.graphqlCost.refillPerSecond,
        );
        let schema: GraphQLSchema | undefined;
        return {
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: true,
          // Nest's GraphiQL page loads React and GraphiQL from a CDN; not served here.
          graphiql: false,
          introspection: true,
          includeStacktraceInErrorResponses: false,
          // "Did you mean …?" suggestions only while developing.
          hideSchemaDetailsFromClientErrors: config.nodeEnv !== 'development',
          // The driver's types come from @apollo/server's ESM build and ours from its CJS one:
          // the same plugin shape under two declarations.
          plugins: [
            queryCostPlugin(
              credentials,
              buckets,
              (built) => (schema = built),
            ) as unknown as NonNullable<ApolloDriverConfig['plugins']>[number],
          ],
          // Called with the Fastify request over HTTP, and with graphql-ws's context per operation.
          context: (transport: FastifyRequest | WebSocketContext): GraphqlContext => {
            if ('extra' in transport) return { connectionParams: transport.connectionParams ?? {} };
            // Before Apollo parses and validates, which would walk a huge document first.
            const query =
              (transport.body as { query?: unknown } | undefined)?.query ??
              (transport.query as { query?: unknown } | undefined)?.query;
            if (typeof query === 'string') assertTokenLimit(query);
            return { request: transport };
          },
          subscriptions: {
            'graphql-ws': {
              // The credential of `connection_init`, checked before any operation: a bad one
              // closes the socket with 4403 Forbidden (graphql-ws's answer to `false`).
              onConnect: async (context: WebSocketContext) => {
                try {
                  await credentials.resolve(
                    authorizationOf({ connectionParams: context.connectionParams ?? {} }),
                    newId('req'),
                  );
                  return true;
                } catch {
                  return false;
                }
              },
              // Apollo's plugins do not run over WebSocket: the same per-query limits, here.
              onSubscribe: (context: WebSocketContext, _id: string, payload: SubscribePayload) => {
                // graphql-ws registers this one before asking: the others are the rest.
                if (Object.keys(context.subscriptions).length - 1 >= MAX_SUBSCRIPTIONS_PER_SOCKET)
                  return [
                    new GraphQLError(
                      `A connection may hold ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions; complete one first.`,
                      { extensions: { code: QUERY_TOO_COMPLEX } },
                    ),
                  ];
                try {
                  assertTokenLimit(payload.query);
                  if (schema)
                    measureQuery(
                      schema,
                      parse(payload.query),
                      payload.variables ?? undefined,
                      payload.operationName ?? undefined,
                    );
                  return undefined;
                } catch (error) {
                  if (error instanceof GraphQLError) return [error];
                  return undefined; // a syntax error: graphql-ws reports it itself
                }
              },
              // Apollo's formatError covers HTTP only; WebSocket results get the same mapping.
              onNext: (
                _context: WebSocketContext,
                _id: string,
                _payload: unknown,
                _args: unknown,
                result: ExecutionResult,
              ) =>
                result.errors
                  ? {
                      ...result,
                      errors: result.errors.map((error) => formatError(error.toJSON(), error)),
                    }
                  : undefined,
            },
          },
          formatError,
        };
      },
    }),
  ],
  providers: [
    CatalogResolver,
    CustomersResolver,
    OrdersResolver,
    WebhooksResolver,
    SubscriptionsResolver,
  ],
})
export class GraphqlApiModule {}
