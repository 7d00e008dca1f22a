import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from '../../harness/ports';

const run = promisify(execFile);

/** Debian's PostgreSQL binaries (pg_basebackup included), the newest installed. */
const POSTGRES_BIN = (() => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'bin', 'pg_basebackup')))
    .sort((a, b) => Number(b) - Number(a))[0];
  return version ? join(root, version, 'bin') : undefined;
})();

export function replicatedClusterAvailable(): boolean {
  return POSTGRES_BIN !== undefined;
}

export const REPLICATION_BINARIES = POSTGRES_BIN ?? '/usr/lib/postgresql/<version>/bin';

/**
 * A primary and a streaming replica of its own, for the replica suite: two clusters made with
 * initdb and pg_basebackup -R on free ports under a temporary directory, run as the unprivileged
 * `postgres` user when the tests run as root (PostgreSQL refuses root).
 */
export class ReplicatedCluster {
  private constructor(
    private readonly dir: string,
    readonly primaryPort: number,
    readonly replicaPort: number,
  ) {}

  static async start(): Promise<ReplicatedCluster> {
    if (!POSTGRES_BIN) throw new Error('no PostgreSQL binaries with pg_basebackup');
    const dir = mkdtempSync(join(tmpdir(), 'dk-replicas-'));
    if (process.getuid?.() === 0) chownSync(dir, uidOfPostgres(), gidOfPostgres());
    const cluster = new ReplicatedCluster(dir, await freePort(), await freePort());
    await cluster.pg('initdb', [
      '-D',
      cluster.primaryDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    await cluster.startServer(cluster.primaryDir, cluster.primaryPort);
    await cluster.pg('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(cluster.primaryPort),
      '-U',
      'postgres',
      '-D',
      cluster.replicaDir,
      '-R',
      '-X',
      'stream',
      '--no-sync',
    ]);
    await cluster.startReplica();
    return cluster;
  }

  /** A URL of the database on the primary, created there (the replica receives it). */
  async createDatabase(name: string): Promise<{ primaryUrl: string; replicaUrl: string }> {
    const client = new Client({ connectionString: this.url(this.primaryPort, 'postgres') });
    await client.connect();
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    await client.end();
    return {
      primaryUrl: this.url(this.primaryPort, name),
      replicaUrl: this.url(this.replicaPort, name),
    };
  }

  /** Runs SQL on the replica (its replay controls, `pg_wal_replay_pause()`). */
  async onReplica(sql: string): Promise<void> {
    const client = new Client({ connectionString: this.url(this.replicaPort, 'postgres') });
    await client.connect();
    await client.query(sql);
    await client.end();
  }

  startReplica(): Promise<void> {
    return this.startServer(this.replicaDir, this.replicaPort);
  }

  /** As a crash would: no shutdown checkpoint, connections cut. */
  async stopReplica(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.replicaDir, '-m', 'immediate', '-w', 'stop']);
  }

  async stop(): Promise<void> {
    for (const data of [this.replicaDir, this.primaryDir])
      await this.pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get primaryDir(): string {
    return join(this.dir, 'primary');
  }

  private get replicaDir(): string {
    return join(this.dir, 'replica');
  }

  private url(port: number, database: string): string {
    return `postgres://postgres@127.0.0.1:${port}/${database}`;
  }

  private async startServer(data: string, port: number): Promise<void> {
    const options = [
      `-p ${port}`,
      `-k ${this.dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c wal_level=replica',
      '-c max_wal_senders=4',
      '-c fsync=off',
      '-c max_connections=60',
    ].join(' ');
    await this.pg('pg_ctl', ['-D', data, '-l', `${data}.log`, '-o', options, '-w', 'start']);
  }

  private async pg(binary: string, args: string[]): Promise<void> {
    const command = join(POSTGRES_BIN ?? '', binary);
    if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', command, ...args]);
    else await run(command, args);
  }
}

/** The ids of the user the servers run as, once per suite. */
function uidOfPostgres(): number {
  return Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
}

function gidOfPostgres(): number {
  return Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
}
