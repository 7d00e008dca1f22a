import { spawn } from 'node:child_process';
import { Client } from 'pg';
import { storeMigrations } from '../migrations';
import { buildDist, ROOT } from './support/dist';
import { startTestApp, TestApp } from './support/test-app';

/**
 * A store migration added here, run over every store schema by a real process with the runner
 * and the progress display `npm run migrate` uses (from `dist`), killed with SIGKILL halfway,
 * then run again to finish.
 */
const MIGRATE = `
require('reflect-metadata');
const { createDataSource } = require('./dist/src/database/data-source');
const { MigrationRunner } = require('./dist/src/database/migration-runner');
const { platformMigrations, storeMigrations } = require('./dist/migrations');
const { migrationProgress } = require('./dist/src/cli/migration-progress');
class AddGiftNotes1900000000000 {
  name = 'AddGiftNotes1900000000000';
  async up(runner) {
    await runner.query('CREATE TABLE gift_notes (id text PRIMARY KEY, note text NOT NULL)');
    await runner.query('SELECT pg_sleep(0.03)');
  }
  async down() {}
}
(async () => {
  const dataSource = createDataSource({ url: process.env.DATABASE_URL, poolSize: 4 });
  await dataSource.initialize();
  const runner = new MigrationRunner(dataSource, platformMigrations, [...storeMigrations, AddGiftNotes1900000000000]);
  const progress = migrationProgress(process.stdout);
  const result = await runner.migrateAllStores({
    concurrency: 3,
    onProgress: (step) => {
      process.stderr.write(JSON.stringify(step) + '\\n');
      progress.update(step);
    },
  });
  process.stdout.write('RESULT ' + JSON.stringify(result) + '\\n');
  await dataSource.destroy();
})();
`;

interface Run {
  readonly stdout: string;
  readonly steps: { done: number; failed: number; total: number }[];
  readonly signal: NodeJS.Signals | null;
}

/** Runs the migration; with `killAfter`, SIGKILLs it once that many stores are done. */
function runMigration(databaseUrl: string, killAfter?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', MIGRATE], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
    });
    let stdout = '';
    let stderr = '';
    const steps: Run['steps'] = [];
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
      const lines = stderr.split('\n');
      stderr = lines.pop() ?? '';
      for (const line of lines.filter((text) => text.startsWith('{'))) {
        const step = JSON.parse(line);
        steps.push(step);
        if (killAfter !== undefined && step.done >= killAfter) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`exited with ${code}: ${stderr}`));
      else resolve({ stdout, steps, signal });
    });
  });
}

describe('store migrations over every schema, resumable after a kill', () => {
  let app: TestApp;
  let db: Client;
  const storeCount = 40;

  beforeAll(async () => {
    buildDist();
    app = await startTestApp();
    for (let i = 0; i < storeCount; i++) await app.createStore(['read_products']);
    db = new Client({ connectionString: app.databaseUrl });
    await db.connect();
  }, 180_000);
  afterAll(async () => {
    await db?.end();
    await app?.close();
  });

  /** Per store: whether it has the table, the ledger row and the version, all three or none. */
  async function states(): Promise<string[]> {
    const { rows } = await db.query<{ state: string }>(
      `SELECT (s.schema_version = $1)::text || ',' ||
              (to_regclass(format('%I.gift_notes', s.id)) IS NOT NULL)::text AS state
         FROM platform.stores s ORDER BY s.id`,
      [storeMigrations.length + 1],
    );
    return rows.map((row) => row.state);
  }

  it('applies a new migration to part of the stores before a SIGKILL, nothing half-done, and the rest when run again', async () => {
    const killed = await runMigration(app.databaseUrl, 12);
    expect(killed.signal).toBe('SIGKILL');
    const afterKill = await states();
    const migrated = afterKill.filter((state) => state === 'true,true').length;
    expect(migrated).toBeGreaterThanOrEqual(12);
    expect(migrated).toBeLessThan(storeCount);
    // Every store is either wholly migrated or untouched: no table without its version.
    expect(afterKill.every((state) => state === 'true,true' || state === 'false,false')).toBe(true);

    const finished = await runMigration(app.databaseUrl);
    expect(finished.signal).toBeNull();
    const result = JSON.parse(/^RESULT (.*)$/m.exec(finished.stdout)![1]);
    expect(result).toEqual({
      migrated: storeCount - migrated,
      total: storeCount - migrated,
      failed: [],
    });
    expect(await states()).toEqual(Array(storeCount).fill('true,true'));
    // Plain progress lines (no terminal here), the last one at 100% with an ETA on the way.
    const lines = finished.stdout.split('\n').filter((line) => line.startsWith('store schemas:'));
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^store schemas: ${storeCount - migrated}/${storeCount - migrated} \\(100%\\), 0 failed, \\d+/s`,
      ),
    );
    expect(finished.steps.at(-1)).toMatchObject({ done: storeCount - migrated, failed: 0 });

    const again = await runMigration(app.databaseUrl);
    expect(JSON.parse(/^RESULT (.*)$/m.exec(again.stdout)![1])).toEqual({
      migrated: 0,
      total: 0,
      failed: [],
    });
  });
});
