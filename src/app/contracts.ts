import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { printSchema } from 'graphql';
import pino from 'pino';
import { platformMigrations, storeMigrations } from '../../migrations';
import { createHttpApplication } from './application';
import { loadConfig } from '../config/config';
import { createDataSource } from '../database/data-source';
import { DatabaseState } from '../database/database-state';
import { MigrationRunner } from '../database/migration-runner';
import { Metrics } from '../observability/metrics';
import type { EventTypeListResource } from '../webhooks/event-type.serializer';
import { EventTypesService } from '../webhooks/event-types.service';
import { buildOpenApiDocument } from '../openapi/openapi';

/**
 * Builds the HTTP application without a database (nothing connects until a request comes) and
 * hands it to `read`: the contracts it serves are exactly what the running server serves.
 */
async function withOfflineApplication<T>(read: (app: NestFastifyApplication) => T): Promise<T> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://unused@127.0.0.1:1/none',
    PLATFORM_ADMIN_TOKEN: randomBytes(24).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'dk-contracts-')),
  });
  const dataSource = createDataSource({ url: config.databaseUrl!, poolSize: 1 });
  const core = {
    config,
    dataSource,
    migrations: new MigrationRunner(dataSource, platformMigrations, storeMigrations),
    databaseState: new DatabaseState(dataSource),
    metrics: new Metrics(dataSource),
    logger: pino({ level: 'silent' }),
  };
  const app = await createHttpApplication(core, core.logger);
  try {
    await app.init();
    return read(app);
  } finally {
    await app.close();
  }
}

export function generateOpenApiDocument(): Promise<OpenAPIObject> {
  return withOfflineApplication(buildOpenApiDocument);
}

/** schema.graphql as the code builds it, sorted, with a final newline. */
export function generateGraphqlSchema(): Promise<string> {
  return withOfflineApplication(
    (app) => `${printSchema(app.get(GraphQLSchemaHost).schema).trimEnd()}\n`,
  );
}

/** openapi/event-types.json as the code builds it: what `GET /v1/event-types` answers. */
export function generateEventTypes(): Promise<EventTypeListResource> {
  return withOfflineApplication((app) => app.get(EventTypesService).list());
}

/** The checked-in form: stable key order and a final newline, so diffs stay readable. */
export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return serializeJsonContract(document);
}

/** Every checked-in JSON contract (the OpenAPI document, the event types) in one layout. */
export function serializeJsonContract(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
