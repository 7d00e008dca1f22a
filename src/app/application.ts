import { setTimeout as sleep } from 'node:timers/promises';
import { INestApplicationContext, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import type { Logger } from 'pino';
import { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { platformMigrations, storeMigrations } from '../../migrations';
import { registerBodyParsers } from '../common/http/body-parsers';
import { MAX_BODY_BYTES } from '../common/http/strict-json';
import fastifyCookie from '@fastify/cookie';
import { registerFormParser } from '../web/form-body';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher';
import { WebhookQueue } from '../webhooks/webhook-queue';
import { JobQueue } from '../jobs/job-queue';
import { RetentionService } from '../maintenance/retention.service';
import type { AppConfig } from '../config/config';
import { createDataSource } from '../database/data-source';
import { DatabaseState } from '../database/database-state';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import {
  MigrationRunner,
  type StoreMigrationOptions,
  type StoreMigrationResult,
} from '../database/migration-runner';
import { createLogger, PinoNestLogger } from '../observability/logger';
import { Metrics } from '../observability/metrics';
import { requestIdFor } from '../observability/request-id';
import { runOnboarding } from '../onboarding/onboarding';
import { buildOpenApiDocument, mountOpenApi } from '../openapi/openapi';
import { EventTypesService } from '../webhooks/event-types.service';
import { mountGraphqlExplorer } from '../graphql/explorer';
import { AppModule, CoreDependencies } from './app.module';
import { securityHeaders } from '../common/http/response-headers';
import { corsOptionsFor } from './cors';
import { clientErrorHandler, frameworkErrorHandler, registerHttpHooks } from './http-hooks';

export interface StartOptions {
  /** Create the demo store on an empty database (outside production). Default: true. */
  readonly onboarding?: boolean;
  /** Resolve only once the database is migrated. Default: true. */
  readonly waitUntilReady?: boolean;
  readonly logger?: Logger;
  readonly sqlLogger?: TypeOrmLogger;
}

export interface RunningApplication {
  readonly app: NestFastifyApplication;
  readonly url: string;
  readonly config: AppConfig;
  readonly dataSource: DataSource;
  readonly logger: Logger;
  /** Settles once the database is connected and migrated (and onboarding ran). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the whole platform: the database (embedded unless `DATABASE_URL` is set), the HTTP server,
 * then migrations in the background so that the process answers `/health/*` while the database is
 * still unreachable, and every other route with 503 until it is migrated.
 */
export async function startApplication(
  config: AppConfig,
  options: StartOptions = {},
): Promise<RunningApplication> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const core = await openCore(config, logger, { sqlLogger: options.sqlLogger });
  const { database, dataSource, migrations, databaseState } = core;

  const app = await createHttpApplication(core, logger);
  await app.listen({ port: config.port, host: config.host });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;

  const closing = new AbortController();
  // Ready (and /health/ready 200) only once migrated and onboarded, so nothing races the demo store.
  const ready = connectAndMigrate(dataSource, migrations, logger, closing.signal).then(async () => {
    if (closing.signal.aborted) return;
    await startJobs(app, database.url, logger, {
      background: true,
      dispatch: config.webhookDispatcher === 'inline',
    });
    if (options.onboarding !== false && config.nodeEnv !== 'production')
      await runOnboarding(app, config, url, logger);
    databaseState.markMigrated();
    logger.info({ url }, 'ready');
  });
  if (options.waitUntilReady !== false) await ready;

  return {
    app,
    url,
    config,
    dataSource,
    logger,
    ready,
    async close() {
      closing.abort();
      await stopJobs(app);
      await app.close();
      await databaseState.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.stop();
    },
  };
}

/**
 * The HTTP application over a core: Fastify with the platform's parser, hooks and versioning, and
 * the OpenAPI document and docs. It touches no database until a request does, so the OpenAPI
 * script builds the very same routes without one.
 */
export async function createHttpApplication(
  core: CoreDependencies,
  logger: Logger,
): Promise<NestFastifyApplication> {
  const headers = securityHeaders(core.config.publicUrl);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // Fastify's two lines per request are replaced by one richer line (see http-hooks.ts).
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: 'requestId',
    }),
    bodyLimit: MAX_BODY_BYTES,
    genReqId: requestIdFor,
    requestIdHeader: false,
    routerOptions: { maxParamLength: 256 },
    frameworkErrors: frameworkErrorHandler(headers),
    clientErrorHandler: clientErrorHandler(headers),
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(core), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    bodyParser: false,
  });
  registerBodyParsers(app);
  // OAuth's forms and token requests (and only they) are application/x-www-form-urlencoded.
  registerFormParser(app.getHttpAdapter().getInstance());
  await app.register(fastifyCookie);
  app.enableVersioning({ type: VersioningType.URI });
  app.enableCors({ delegator: corsOptionsFor });
  registerHttpHooks(app.getHttpAdapter().getInstance(), core.databaseState, core.metrics, headers);
  mountOpenApi(app, core.config);
  app.get(EventTypesService).describeFrom(() => buildOpenApiDocument(app));
  if (core.config.nodeEnv !== 'production')
    mountGraphqlExplorer(app.getHttpAdapter().getInstance());
  return app;
}

interface Core extends CoreDependencies {
  readonly database: { readonly url: string; stop(): Promise<void> };
}

/** The database and what hangs off it, shared by the HTTP server, the CLI and `npm run migrate`. */
async function openCore(
  config: AppConfig,
  logger: Logger,
  options: { sqlLogger?: TypeOrmLogger; shareRunningDatabase?: boolean },
): Promise<Core> {
  const database = config.databaseUrl
    ? { url: config.databaseUrl, stop: async () => undefined }
    : await startEmbeddedPostgres({
        dataDir: config.dataDir,
        shareRunning: options.shareRunningDatabase,
        onLog: (line) => logger.debug({ source: 'postgres' }, line.trim()),
      });
  const dataSource = createDataSource({
    url: database.url,
    poolSize: config.databasePoolSize,
    poolWaitMs: config.databaseLimits.poolWaitMs,
    logger: options.sqlLogger,
  });
  const migrations = new MigrationRunner(dataSource, platformMigrations, storeMigrations);
  return {
    config,
    database,
    dataSource,
    migrations,
    databaseState: new DatabaseState(dataSource, database.url),
    metrics: new Metrics(dataSource),
    logger,
  };
}

export interface PlatformContext {
  readonly context: INestApplicationContext;
  readonly config: AppConfig;
  /** What opening it migrated (`npm run migrate` reports it). */
  readonly migrated: StoreMigrationResult;
  close(): Promise<void>;
}

/**
 * The platform without HTTP, for the CLI: the same modules and services, migrated first. With the
 * embedded database it joins a server already running on the same data directory.
 */
export async function openPlatformContext(
  config: AppConfig,
  logger: Logger,
  options: { dispatch?: boolean; storeMigrations?: StoreMigrationOptions } = {},
): Promise<PlatformContext> {
  const core = await openCore(config, logger, { shareRunningDatabase: true });
  try {
    await core.dataSource.initialize();
    const migrated = await migrate(core.migrations, logger, options.storeMigrations);
    core.databaseState.markMigrated();
    const context = await NestFactory.createApplicationContext(AppModule.forRoot(core), {
      logger: false,
      abortOnError: false,
    });
    await startJobs(context, core.database.url, logger, {
      background: options.dispatch ?? false,
      dispatch: options.dispatch ?? false,
    });
    return {
      context,
      config,
      migrated,
      async close() {
        await stopJobs(context);
        await context.close();
        await core.databaseState.close();
        await core.dataSource.destroy();
        await core.database.stop();
      },
    };
  } catch (error) {
    if (core.dataSource.isInitialized) await core.dataSource.destroy();
    await core.database.stop();
    throw error;
  }
}

/**
 * The job queue (needed by every writer: webhook deliveries are queued in the change's
 * transaction), the webhook dispatcher where this process sends webhooks, and the daily retention
 * job in long-running processes (not in the CLI).
 */
async function startJobs(
  app: INestApplicationContext,
  databaseUrl: string,
  logger: Logger,
  work: { background: boolean; dispatch: boolean },
): Promise<void> {
  await app.get(JobQueue).start(databaseUrl, logger);
  await app.get(WebhookQueue).prepare();
  if (work.dispatch) app.get(WebhookDispatcher).start(logger, databaseUrl);
  // Every server process offers to run it; pg-boss gives each daily run to one of them.
  if (work.background) await app.get(RetentionService).schedule(logger);
}

async function stopJobs(app: INestApplicationContext): Promise<void> {
  await app.get(WebhookDispatcher).stop();
  await app.get(JobQueue).stop();
}

/** Platform migrations, then every store schema brought to the latest version, with progress. */
export async function migrate(
  migrations: MigrationRunner,
  logger: Logger,
  stores: StoreMigrationOptions = { concurrency: SERVER_MIGRATION_CONCURRENCY },
): Promise<StoreMigrationResult> {
  const applied = await migrations.migratePlatform();
  if (applied.length > 0) logger.info({ applied }, 'platform migrations applied');
  const result = await migrations.migrateAllStores({
    onProgress: ({ done, failed, total, storeId }) => {
      if (done + failed === total || done % 100 === 0)
        logger.info({ done, failed, total, storeId }, 'store schemas migrated');
    },
    ...stores,
  });
  if (result.migrated > 0) logger.info({ migrated: result.migrated }, 'store migrations complete');
  for (const failure of result.failed)
    logger.error(
      failure,
      'store schema not migrated; `npm run migrate` or the next start tries it again',
    );
  return result;
}

/** Stores a starting server migrates at once: few, since it may share the pool with traffic. */
const SERVER_MIGRATION_CONCURRENCY = 2;

async function connectAndMigrate(
  dataSource: DataSource,
  migrations: MigrationRunner,
  logger: Logger,
  closing: AbortSignal,
): Promise<void> {
  for (let attempt = 1; !closing.aborted; attempt++) {
    try {
      if (!dataSource.isInitialized) await dataSource.initialize();
      await migrate(migrations, logger);
      return;
    } catch (error) {
      const delay = Math.min(30_000, 250 * 2 ** Math.min(attempt, 7));
      logger.warn(
        {
          attempt,
          retryInMs: delay,
          error: error instanceof Error ? error.message : String(error),
        },
        'database not ready',
      );
      await sleep(delay, undefined, { signal: closing }).catch(() => undefined);
    }
  }
}
