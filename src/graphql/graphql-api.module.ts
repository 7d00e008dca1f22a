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
import { GraphqlContext } from './graphql-context';
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
      inject: [LOGGER],
      useFactory: (logger: Logger): ApolloDriverConfig => ({
        path: '/graphql',
        autoSchemaFile: true,
        sortSchema: true,
        // Nest's GraphiQL page loads React and GraphiQL from a CDN; not served here.
        graphiql: false,
        introspection: true,
        includeStacktraceInErrorResponses: false,
        context: (request: FastifyRequest): GraphqlContext => ({ request }),
        formatError: formatGraphqlError(logger),
      }),
    }),
  ],
  providers: [CatalogResolver, CustomersResolver, OrdersResolver, WebhooksResolver],
})
export class GraphqlApiModule {}
