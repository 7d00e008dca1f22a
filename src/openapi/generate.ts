import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import pino from 'pino';
import { platformMigrations, storeMigrations } from '../../migrations';
import { createHttpApplication } from '../app/application';
import { loadConfig } from '../config/config';
import { createDataSource } from '../database/data-source';
import { DatabaseState } from '../database/database-state';
import { MigrationRunner } from '../database/migration-runner';
import { Metrics } from '../observability/metrics';
import { buildOpenApiDocument } from './openapi';

/**
 * Builds the HTTP application without a database (nothing connects until a request comes) and
 * returns its OpenAPI document, exactly as the running server serves it.
 */
export async function generateOpenApiDocument(): Promise<OpenAPIObject> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: 'postgres://unused@127.0.0.1:1/none',
    PLATFORM_ADMIN_TOKEN: randomBytes(24).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'dk-openapi-')),
  });
  const dataSource = createDataSource({ url: config.databaseUrl!, poolSize: 1 });
  const core = {
    config,
    dataSource,
    migrations: new MigrationRunner(dataSource, platformMigrations, storeMigrations),
    databaseState: new DatabaseState(dataSource),
    metrics: new Metrics(dataSource),
  };
  const app = await createHttpApplication(core, pino({ level: 'silent' }));
  try {
    await app.init();
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

/** The checked-in form: stable key order and a final newline, so diffs stay readable. */
export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
