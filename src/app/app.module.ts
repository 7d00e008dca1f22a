import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AuthModule } from '../auth/auth.module';
import { CredentialGuard } from '../auth/credential.guard';
import { registerCredentialTransport } from '../auth/credential-transport';
import { ScopesGuard } from '../auth/scopes.guard';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { JobsModule } from '../jobs/jobs.module';
import { MaintenanceModule } from '../maintenance/maintenance.module';
import { RequestBodyInterceptor } from '../common/http/request-body.interceptor';
import { CatalogModule } from '../catalog/catalog.module';
import { CustomersModule } from '../customers/customers.module';
import { InventoryModule } from '../inventory/inventory.module';
import { OrdersModule } from '../orders/orders.module';
import { EventsModule } from '../events/events.module';
import { ProblemFilter } from '../common/errors/problem.filter';
import { addErrorTranslator } from '../common/errors/to-domain-error';
import { ETagInterceptor } from '../common/http/etag.interceptor';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { PageLinkInterceptor } from '../common/http/page-link.interceptor';
import { StrictValidationPipe } from '../common/validation/validation.pipe';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DatabaseState } from '../database/database-state';
import { MigrationRunner } from '../database/migration-runner';
import { translatePostgresError } from '../database/postgres-errors';
import { CredentialFreshness } from '../database/credential-freshness';
import { ReadReplicas } from '../database/read-replicas';
import { TransactionalConnection } from '../database/transactional-connection';
import { reportDatabaseFaults } from '../observability/database-fault-report';
import { HealthController } from '../observability/health.controller';
import { Metrics } from '../observability/metrics';
import { CacheModule } from '../cache/cache.module';
import { LOGGER } from '../observability/logger';
import type { Logger } from 'pino';
import { GraphqlApiModule } from '../graphql/graphql-api.module';
import { PlatformModule } from '../platform/platform.module';
import { OAuthModule } from '../oauth/oauth.module';
import { HostedUiModule } from '../hosted-ui/hosted-ui.module';
import { SyncModule } from '../sync/sync.module';
import { FailureThrottlerGuard } from '../throttling/failure-throttler.guard';
import { RateLimitGuard } from '../throttling/rate-limit.guard';
import { ThrottlingModule } from '../throttling/throttling.module';
import { HTTP_CREDENTIAL_TRANSPORT } from './http-credentials';

export interface CoreDependencies {
  readonly config: AppConfig;
  readonly dataSource: DataSource;
  readonly migrations: MigrationRunner;
  readonly databaseState: DatabaseState;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Infrastructure every capability module uses: configuration, the database, logs and metrics. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(dependencies: CoreDependencies): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: dependencies.config },
        { provide: DataSource, useValue: dependencies.dataSource },
        { provide: MigrationRunner, useValue: dependencies.migrations },
        { provide: DatabaseState, useValue: dependencies.databaseState },
        { provide: Metrics, useValue: dependencies.metrics },
        { provide: LOGGER, useValue: dependencies.logger },
        {
          provide: ReadReplicas,
          useFactory: () =>
            new ReadReplicas(dependencies.dataSource, {
              urls: dependencies.config.databaseReplicaUrls,
              poolSize: dependencies.config.databasePoolSize,
              poolWaitMs: dependencies.config.databaseLimits.poolWaitMs,
              registry: dependencies.metrics.registry,
              logger: dependencies.logger,
            }),
        },
        {
          provide: TransactionalConnection,
          inject: [ReadReplicas],
          useFactory: (replicas: ReadReplicas) =>
            new TransactionalConnection(
              dependencies.dataSource,
              dependencies.config.databaseLimits,
              reportDatabaseFaults(dependencies.metrics, dependencies.logger),
              replicas,
            ),
        },
        CredentialFreshness,
      ],
      exports: [
        APP_CONFIG,
        DataSource,
        MigrationRunner,
        DatabaseState,
        Metrics,
        LOGGER,
        TransactionalConnection,
        ReadReplicas,
        CredentialFreshness,
      ],
    };
  }
}

@Module({})
export class AppModule {
  constructor() {
    registerCredentialTransport('http', HTTP_CREDENTIAL_TRANSPORT);
  }

  static forRoot(dependencies: CoreDependencies): DynamicModule {
    // REST problems and GraphQL errors answer PostgreSQL failures the database layer recognises.
    addErrorTranslator(translatePostgresError);
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(dependencies),
        AuthModule,
        JobsModule,
        EventsModule,
        PlatformModule,
        OAuthModule,
        CacheModule,
        CatalogModule,
        CustomersModule,
        InventoryModule,
        OrdersModule,
        WebhooksModule,
        SyncModule,
        MaintenanceModule,
        ThrottlingModule,
        GraphqlApiModule,
        HostedUiModule,
      ],
      controllers: [HealthController],
      providers: [
        // In this order: who is asking, then their rate limit (counted also when they lack the
        // scope, so the 403 carries RateLimit headers), then whether they may.
        { provide: APP_GUARD, useExisting: CredentialGuard },
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_GUARD, useExisting: FailureThrottlerGuard },
        { provide: APP_GUARD, useExisting: ScopesGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useClass: StrictValidationPipe },
        // First: what "no body" means for the route is settled before anything reads the body.
        { provide: APP_INTERCEPTOR, useClass: RequestBodyInterceptor },
        {
          provide: APP_INTERCEPTOR,
          useFactory: () => new PageLinkInterceptor(dependencies.config.publicUrl),
        },
        { provide: APP_INTERCEPTOR, useClass: ETagInterceptor },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
    };
  }
}
