import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { Authenticator } from '../auth/authenticator';
import { registerCredentialTransport } from '../auth/credential-transport';
import { CachedReads } from '../cache/cached-reads';
import { CatalogModule } from '../catalog/catalog.module';
import { APP_CONFIG, AppConfig } from '../config/config';
import { CustomersModule } from '../customers/customers.module';
import { InventoryModule } from '../inventory/inventory.module';
import { LOGGER } from '../observability/logger';
import { OrdersModule } from '../orders/orders.module';
import { GraphqlCostBucket } from '../throttling/graphql-cost-bucket';
import { RateLimitsModule } from '../throttling/rate-limits.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { GraphqlContext } from './graphql-context';
import { GRAPHQL_CREDENTIAL_TRANSPORT } from './graphql-credentials';
import { formatGraphqlError } from './graphql-errors';
import { GraphqlWebSocketServer } from './graphql-websocket';
import { operationCachePlugin, stringifyResult } from './operation-cache.plugin';
import { OperationsManifest } from './operations-manifest';
import { assertTokenLimit, queryCostPlugin } from './query-cost.plugin';
import { secretAnswersPlugin } from './secret-answers.plugin';
import { CatalogResolver } from './resolvers/catalog.resolver';
import { CustomersResolver, OrdersResolver } from './resolvers/commerce.resolver';
import { SubscriptionsResolver } from './resolvers/subscriptions.resolver';
import { WebhooksResolver } from './resolvers/webhooks.resolver';

const PERSISTED_QUERY_TTL_SECONDS = 3_600;

/** The operation text and persisted-query hash a POST body or GET query string carries. */
function operationOf(request: FastifyRequest): { query?: string; hash?: string } {
  const fields = (request.method === 'GET' ? request.query : request.body) as
    { query?: unknown; extensions?: unknown } | undefined;
  let extensions = fields?.extensions;
  if (typeof extensions === 'string') {
    try {
      extensions = JSON.parse(extensions);
    } catch {
      extensions = undefined; // Apollo answers the malformed parameter itself
    }
  }
  const hash = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)
    ?.persistedQuery?.sha256Hash;
  return {
    query: typeof fields?.query === 'string' ? fields.query : undefined,
    hash: typeof hash === 'string' ? hash : undefined,
  };
}

/**
 * GraphQL at /graphql: code-first resolvers over the same services as REST. The schema is built
 * in memory; `npm run contracts` writes it to schema.graphql, which a test keeps in step.
 * Subscriptions are served by GraphqlWebSocketServer on the same path.
 */
@Module({
  imports: [
    RateLimitsModule,
    CatalogModule,
    CustomersModule,
    OrdersModule,
    InventoryModule,
    WebhooksModule,
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      imports: [RateLimitsModule],
      inject: [LOGGER, Authenticator, APP_CONFIG, GraphqlCostBucket, CachedReads],
      useFactory: (
        logger: Logger,
        authenticator: Authenticator,
        config: AppConfig,
        costs: GraphqlCostBucket,
        reads: CachedReads,
      ): ApolloDriverConfig => {
        const formatError = formatGraphqlError(logger);
        const operations = OperationsManifest.load(
          config.graphqlOperationsFile,
          config.graphqlAllowlist,
        );
        return {
          path: '/graphql',
          formatError,
          // Automatic persisted queries: a client sends the query's SHA-256 (over GET, cacheable),
          // and the query itself only once per hour per instance.
          persistedQueries: {
            cache: operations.cache(PERSISTED_QUERY_TTL_SECONDS),
            ttl: PERSISTED_QUERY_TTL_SECONDS,
          },
          // CSRF needs ambient credentials (cookies); this API takes bearer tokens only, which a
          // cross-site request cannot carry, so plain GETs from mobile clients are allowed.
          csrfPrevention: false,
          stringifyResult,
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
            // Apollo's cache-control plugin wraps every field resolver to compute cache hints
            // this API does not send (answers carry credentials); about a sixth of the CPU of a
            // product page.
            ApolloServerPluginCacheControlDisabled() as unknown as NonNullable<
              ApolloDriverConfig['plugins']
            >[number],
            queryCostPlugin(authenticator, costs) as unknown as NonNullable<
              ApolloDriverConfig['plugins']
            >[number],
            secretAnswersPlugin() as unknown as NonNullable<ApolloDriverConfig['plugins']>[number],
            operationCachePlugin(reads) as unknown as NonNullable<
              ApolloDriverConfig['plugins']
            >[number],
          ],
          context: (transport: FastifyRequest): GraphqlContext => {
            // Before Apollo parses and validates, which would walk a huge document first.
            const { query, hash } = operationOf(transport);
            if (query !== undefined) assertTokenLimit(query);
            operations.assertAllowed(query, hash);
            return { request: transport };
          },
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
    GraphqlWebSocketServer,
  ],
})
export class GraphqlApiModule {
  constructor() {
    registerCredentialTransport('graphql', GRAPHQL_CREDENTIAL_TRANSPORT);
  }
}
