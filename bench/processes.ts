/** The servers the benchmark starts, their environment, and what is undone when it ends. */
import { join } from 'node:path';
import { Fixture } from './lib/seed';
import { freePort } from '../harness/ports';
import { ServerProcess } from '../harness/server-process';
import { APP_ENV, CPU_PROFILE_DIR, SETTINGS } from './settings';

export interface Bench {
  readonly root: string;
  readonly workDir: string;
  readonly databaseUrl: string;
  readonly secrets: { readonly adminToken: string; readonly encryptionKey: string };
  readonly fixture: Fixture;
  /** The full app, already started by the startup measurements. */
  readonly fullApp: ServerProcess;
}

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;

/** Registers what `cleanUp` undoes (last registered, first undone); runs it at once if too late. */
export function onCleanup(cleanup: () => Promise<void>): void {
  if (cleaning) void cleanup().catch(() => undefined);
  else cleanups.push(cleanup);
}

export function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => console.error(`[bench] cleanup: ${String(error)}`));
    }
  })();
  return cleaning;
}

export function progress(message: string): void {
  console.error(`[bench] ${message}`);
}

/** The full app, with `env` over its usual environment. */
export function startFullApp(
  bench: Pick<Bench, 'root' | 'workDir' | 'databaseUrl' | 'secrets'>,
  label: string,
  logLevel = 'info',
  env: Record<string, string> = {},
  nodeArgs: readonly string[] = CPU_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE_DIR}`]
    : [],
): Promise<ServerProcess> {
  return freePort().then((port) => {
    const server = ServerProcess.start({
      name: `full app (${label})`,
      script: 'dist/src/main.js',
      cwd: bench.root,
      env: { ...appEnvironment(bench, port, logLevel), ...env },
      nodeArgs,
      logFile: join(bench.workDir, `full-${label}.log`),
      port,
    });
    onCleanup(() => server.stop());
    return server;
  });
}

export function startBareServer(
  bench: Bench,
  name: string,
  tenancy: 'off' | 'transaction',
): Promise<ServerProcess> {
  return startBenchServer(bench, name, 'dist/bench/bare-server.js', {
    BENCH_STORE_ID: bench.fixture.storeId,
    BENCH_BARE_TENANCY: tenancy,
  });
}

/** One of the bench's own servers, with the app's environment plus `env`, once it serves. */
export async function startBenchServer(
  bench: Bench,
  name: string,
  script: string,
  env: Record<string, string>,
  readyPath = '/v1/products?limit=1',
): Promise<ServerProcess> {
  const port = await freePort();
  const server = ServerProcess.start({
    name: `${name} server`,
    script,
    cwd: bench.root,
    env: { ...appEnvironment(bench, port, 'silent'), ...env },
    logFile: join(bench.workDir, `${name}.log`),
    port,
  });
  onCleanup(() => server.stop());
  await server.waitUntilReady(readyPath);
  return server;
}

/** The whole environment of a server under test: nothing leaks in from the shell. */
export function appEnvironment(
  bench: Pick<Bench, 'workDir' | 'databaseUrl' | 'secrets'>,
  port: number,
  logLevel: string,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: bench.databaseUrl,
    DATABASE_POOL_SIZE: String(SETTINGS.poolSize),
    PLATFORM_ADMIN_TOKEN: bench.secrets.adminToken,
    ENCRYPTION_KEY: bench.secrets.encryptionKey,
    LOG_LEVEL: logLevel,
    DATA_DIR: join(bench.workDir, 'data'),
    // The benchmark measures throughput, not the rate limiter's refusals.
    RATE_LIMIT_BUCKET: '1000000000',
    RATE_LIMIT_REFILL_PER_SECOND: '1000000000',
    ...APP_ENV,
  };
}
