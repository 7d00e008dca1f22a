import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { platformMigrations, storeMigrations } from '../migrations';
import { MigrationRunner } from '../src/database/migration-runner';
import { expectInterleavedStoresIsolated } from './support/isolation';
import { freePort } from '../harness/ports';
import { startTestApp, TestApp } from './support/test-app';
import { createTestDatabase } from './support/test-database';

function pgbouncerPath(): string | undefined {
  for (const candidate of ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const binary = pgbouncerPath();
if (!binary)
  console.warn(
    'SKIPPED: pgbouncer is not installed (CI installs it); the PgBouncer tenancy test did not run',
  );

/**
 * Statements of one transaction may run on any server connection behind a transaction-mode
 * PgBouncer, and connections are shared by every client: the store's search_path must travel
 * with each transaction and never stay on a connection.
 */
(binary ? describe : describe.skip)('tenancy behind PgBouncer in transaction mode', () => {
  let bouncer: ChildProcess;
  let app: TestApp;
  let dropDatabase: () => Promise<void>;
  let databaseUrl: string;

  beforeAll(async () => {
    const database = await createTestDatabase();
    dropDatabase = database.drop;
    databaseUrl = database.url;
    const target = new URL(database.url);
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'dk-pgbouncer-'));
    chmodSync(dir, 0o777);
    const credentials = target.password ? ` password=${decodeURIComponent(target.password)}` : '';
    writeFileSync(
      join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `${target.pathname.slice(1)} = host=${target.hostname} port=${target.port || 5432} user=${target.username}${credentials}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'auth_type = any',
        'pool_mode = transaction',
        'default_pool_size = 2',
        'max_client_conn = 100',
        `unix_socket_dir = ${dir}`,
        'ignore_startup_parameters = extra_float_digits',
      ].join('\n'),
    );
    const asRoot = process.getuid?.() === 0;
    const command = asRoot ? 'setpriv' : binary!;
    const args = asRoot
      ? ['--reuid=nobody', '--regid=nogroup', '--clear-groups', binary!, join(dir, 'pgbouncer.ini')]
      : [join(dir, 'pgbouncer.ini')];
    bouncer = spawn(command, args, { stdio: 'ignore' });
    await waitForPort(port);
    const viaBouncer = new URL(database.url);
    viaBouncer.hostname = '127.0.0.1';
    viaBouncer.port = String(port);
    app = await startTestApp({
      env: { DATABASE_URL: viaBouncer.toString(), DATABASE_POOL_SIZE: '8' },
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    bouncer?.kill('SIGTERM');
    await dropDatabase?.();
  });

  it('keeps concurrent requests of two stores in their own schemas over two shared server connections', async () => {
    await expectInterleavedStoresIsolated(app, 60);
    const [{ path }] = await app.running.dataSource.query(
      "SELECT current_setting('search_path') AS path",
    );
    expect(path).not.toMatch(/store_/);
  });

  it('runs platform migrations from several instances at once without leaving a lock held', async () => {
    const runners = Array.from(
      { length: 4 },
      () => new MigrationRunner(app.running.dataSource, platformMigrations, storeMigrations),
    );
    await Promise.all(runners.map((runner) => runner.migratePlatform()));
    const direct = new Client({ connectionString: databaseUrl });
    await direct.connect();
    try {
      const locks = await direct.query(
        "SELECT count(*)::int AS held FROM pg_locks WHERE locktype = 'advisory'",
      );
      expect(locks.rows[0].held).toBe(0);
    } finally {
      await direct.end();
    }
  });
});

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createServer().listen(port, '127.0.0.1');
      socket.once('error', () => resolve(true));
      socket.once('listening', () => socket.close(() => resolve(false)));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('pgbouncer did not start');
}
