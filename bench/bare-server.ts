/**
 * The products handlers with authentication, tenancy and logging switched off, for the benchmark's
 * overhead ratio: the same ProductsService and ProductsController, validation pipe, problem filter
 * and page-link interceptor as the full app, but
 *
 * - no AuthGuard: every request carries one fixed context for the seeded store (`read_products`);
 * - no per-request tenancy: the pool sets `search_path` to the store's schema when it connects,
 *   and the connection runs each service method on the data source's manager, with no transaction
 *   and no `set_config`;
 * - no logging: no Fastify logger, no access-log and metrics hooks, no request id.
 *
 * With `BENCH_BARE_TENANCY=transaction` (for attributing the overhead, not the ratio) it
 * puts tenancy back: the real TransactionalConnection, one transaction with `set_config` per
 * request, and a fresh context per request (the connection binds its transaction to the context).
 *
 * Environment: DATABASE_URL, BENCH_STORE_ID, BENCH_BARE_TENANCY, PORT, HOST, DATABASE_POOL_SIZE
 * (and whatever `loadConfig` requires, as for the full app).
 */
import 'reflect-metadata';
import { DynamicModule, Global, Module, VersioningType } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource, EntityManager } from 'typeorm';
import { HTTP_CREDENTIAL_TRANSPORT } from '../src/app/http-credentials';
import { registerCredentialTransport } from '../src/auth/credential-transport';
import { CachedReads } from '../src/cache/cached-reads';
import { NoResponseCache, ResponseCache } from '../src/cache/response-cache';
import { CatalogModule } from '../src/catalog/catalog.module';
import { EventsModule } from '../src/events/events.module';
import { ProblemFilter } from '../src/common/errors/problem.filter';
import { PageLinkInterceptor } from '../src/common/http/page-link.interceptor';
import { registerBodyParsers } from '../src/common/http/body-parsers';
import { MAX_BODY_BYTES } from '../src/common/http/strict-json';
import { RequestContext } from '../src/common/request-context';
import { StrictValidationPipe } from '../src/common/validation/validation.pipe';
import { APP_CONFIG, AppConfig, loadConfig } from '../src/config/config';
import { registeredEntities } from '../src/database/database.module';
import { storeSchemaName } from '../src/database/store-schema';
import { CredentialFreshness } from '../src/database/credential-freshness';
import { TransactionalConnection } from '../src/database/transactional-connection';
import { createLogger, LOGGER } from '../src/observability/logger';

/** Every method runs on the data source's manager: one pooled connection per statement. */
class DirectConnection extends TransactionalConnection {
  override run<T>(
    ctx: RequestContext,
    work: (manager: EntityManager, ctx: RequestContext) => Promise<T>,
  ): Promise<T> {
    return work(this.dataSource.manager, ctx);
  }

  override manager(): EntityManager {
    return this.dataSource.manager;
  }

  override readOnce<Row>(
    _ctx: RequestContext,
    sql: string,
    ids: readonly string[],
  ): Promise<Row[]> {
    return this.dataSource.manager.query(sql, [...ids]);
  }

  /** There is no transaction to wait for: each statement has committed on its own. */
  override afterCommit(_ctx: RequestContext, callback: () => void | Promise<void>): void {
    void Promise.resolve().then(callback);
  }
}

@Global()
@Module({})
class BareCoreModule {
  static forRoot(
    config: AppConfig,
    dataSource: DataSource,
    connection: TransactionalConnection,
  ): DynamicModule {
    return {
      module: BareCoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: DataSource, useValue: dataSource },
        { provide: TransactionalConnection, useValue: connection },
        // The event bus takes the logger; it logs nothing here.
        { provide: LOGGER, useValue: createLogger('silent') },
        // The service path itself is measured: every read computed, as the full app on a miss.
        { provide: ResponseCache, useValue: new NoResponseCache() },
        CredentialFreshness,
        CachedReads,
      ],
      exports: [
        APP_CONFIG,
        DataSource,
        TransactionalConnection,
        LOGGER,
        ResponseCache,
        CredentialFreshness,
        CachedReads,
      ],
    };
  }
}

@Module({})
class BareAppModule {
  static forRoot(
    config: AppConfig,
    dataSource: DataSource,
    connection: TransactionalConnection,
  ): DynamicModule {
    return {
      module: BareAppModule,
      imports: [
        BareCoreModule.forRoot(config, dataSource, connection),
        EventsModule,
        CatalogModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useClass: StrictValidationPipe },
        { provide: APP_INTERCEPTOR, useFactory: () => new PageLinkInterceptor(config.publicUrl) },
      ],
    };
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const storeId = process.env.BENCH_STORE_ID ?? '';
  const schema = storeSchemaName(storeId);
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required');
  const tenancy = process.env.BENCH_BARE_TENANCY ?? 'off';
  if (tenancy !== 'off' && tenancy !== 'transaction')
    throw new Error('BENCH_BARE_TENANCY must be "off" or "transaction"');
  const dataSource = new DataSource({
    type: 'postgres',
    url: config.databaseUrl,
    entities: registeredEntities(),
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: config.databasePoolSize,
      application_name: 'dukkadee-bench-bare',
      connectionTimeoutMillis: 5000,
      // Set once per connection (the schema name is a validated store id), unless each
      // transaction sets it as the full app does.
      ...(tenancy === 'off' ? { options: `-c search_path=${schema}` } : {}),
    },
  });
  await dataSource.initialize();
  const connection =
    tenancy === 'off' ? new DirectConnection(dataSource) : new TransactionalConnection(dataSource);

  // `@Ctx()` reads the context where the app's HTTP transport keeps it (the app registers it too).
  registerCredentialTransport('http', HTTP_CREDENTIAL_TRANSPORT);
  const contextFor = (requestId: string) =>
    new RequestContext(requestId, storeId, { type: 'api_key', id: 'key_bench' }, ['read_products']);
  const fixedContext = contextFor('bench');
  const adapter = new FastifyAdapter({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    routerOptions: { maxParamLength: 256 },
  });
  if (tenancy === 'off') {
    // What the guard would have set, as a getter: no per-request work at all.
    adapter.getInstance().decorateRequest('dukkadeeContext', { getter: () => fixedContext });
  } else {
    // The real connection binds its transaction to the context object: one per request.
    adapter.getInstance().decorateRequest('dukkadeeContext', undefined);
    adapter.getInstance().addHook('onRequest', (request, _reply, done) => {
      request.dukkadeeContext = contextFor(String(request.id));
      done();
    });
  }
  const app = await NestFactory.create<NestFastifyApplication>(
    BareAppModule.forRoot(config, dataSource, connection),
    adapter,
    { logger: ['error', 'warn'], abortOnError: false, bodyParser: false },
  );
  registerBodyParsers(app);
  app.enableVersioning({ type: VersioningType.URI });
  await app.listen({ port: config.port, host: config.host });

  const stop = () => {
    app
      .close()
      .then(() => dataSource.destroy())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
