import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

/**
 * Suites use `DATABASE_URL` when set (CI's PostgreSQL); otherwise one embedded PostgreSQL is
 * started for the whole run. Each suite then creates its own database on that server.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const embedded = await startEmbeddedPostgres({
    dataDir: join(__dirname, '..', '..', '.data', 'test'),
  });
  process.env.DATABASE_URL = embedded.url;
  (globalThis as { embeddedTestDatabase?: typeof embedded }).embeddedTestDatabase = embedded;
}
