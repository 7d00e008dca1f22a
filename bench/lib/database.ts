import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, escapeIdentifier } from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

/**
 * The PostgreSQL server the benchmark runs against: the one `DATABASE_URL` names, or an embedded
 * one in a temporary directory. Every database it creates is named `dk_bench_<random>` and dropped
 * by `close()`.
 */
export class BenchDatabaseServer {
  private readonly created: string[] = [];

  private constructor(
    /** A URL of the server with an existing database to connect to for administration. */
    private readonly adminUrl: string,
    readonly kind: 'external' | 'embedded',
    private readonly shutdown: () => Promise<void>,
  ) {}

  static async open(databaseUrl: string | undefined): Promise<BenchDatabaseServer> {
    if (databaseUrl) return new BenchDatabaseServer(databaseUrl, 'external', async () => undefined);
    const dataDir = mkdtempSync(join(tmpdir(), 'dk-bench-pg-'));
    try {
      const embedded = await startEmbeddedPostgres({ dataDir });
      return new BenchDatabaseServer(embedded.url, 'embedded', async () => {
        await embedded.stop();
        rmSync(dataDir, { recursive: true, force: true });
      });
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  async version(): Promise<string> {
    return this.withAdmin(async (client) => {
      const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
      return rows[0].server_version;
    });
  }

  /** Creates an empty database and answers its URL. */
  async createDatabase(): Promise<string> {
    const name = `dk_bench_${randomBytes(6).toString('hex')}`;
    await this.withAdmin((client) => client.query(`CREATE DATABASE ${escapeIdentifier(name)}`));
    this.created.push(name);
    const url = new URL(this.adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  /** Drops every database this run created (disconnecting what is left), then stops an embedded server. */
  async close(): Promise<void> {
    try {
      for (const name of this.created.splice(0)) {
        await this.withAdmin((client) =>
          client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`),
        ).catch((error: unknown) =>
          console.error(`[bench] could not drop ${name}: ${String(error)}`),
        );
      }
    } finally {
      await this.shutdown();
    }
  }

  private async withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: this.adminUrl, application_name: 'dk-bench' });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
}
