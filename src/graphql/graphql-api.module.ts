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
import type { ExecutionResult } from 'graphql';
import type { Context as WebSocketContext } from 'graphql-ws';
import { CredentialResolver } from '../auth/credential-resolver';
import { newId } from '../common/ids';
import { authorizationOf, GraphqlContext } from './graphql-context';
import { SubscriptionsResolver } from './resolvers/subscriptions.resolver';
import { formatGraphqlError } from './graphql-errors';
import { CatalogResolver } from './resolvers/catalog.resolver';
import { CustomersResolver, OrdersResolver } from './resolvers/commerce.resolver';
import { WebhooksResolver } from './resolvers/webhooks.resolver';

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
      inject: [LOGGER, CredentialResolver],
      useFactory: (logger: Logger, credentials: CredentialResolver): ApolloDriverConfig => {
        const formatError = formatGraphqlError(logger);
        return {
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: true,
          // Nest's GraphiQL page loads React and GraphiQL from a CDN; not served here.
          graphiql: false,
          introspection: true,
          includeStacktraceInErrorResponses: false,
          // Called with the Fastify request over HTTP, and with graphql-ws's context per operation.
          context: (transport: FastifyRequest | WebSocketContext): GraphqlContext =>
            'extra' in transport
              ? { connectionParams: transport.connectionParams ?? {} }
              : { request: transport },
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
