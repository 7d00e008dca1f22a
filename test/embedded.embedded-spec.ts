import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { freePort } from '../harness/ports';

/**
 * The path a new user takes: `npm start` with no DATABASE_URL on a fresh data directory, as a
 * real process receiving real signals.
 */
const root = join(__dirname, '..');
const dataDir = mkdtempSync(join(tmpdir(), 'dk-embedded-'));
let port = 0;
let child: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
    { cwd: root, stdio: 'inherit' },
  );
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await exited(child);
  }
});

async function start(): Promise<ChildProcess> {
  port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
  };
  delete env.DATABASE_URL;
  delete env.PLATFORM_ADMIN_TOKEN;
  child = spawn(process.execPath, [join(root, 'dist/src/main.js')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return child;
}

async function waitUntilReady(process: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (process.exitCode !== null)
      throw new Error(`server exited with ${process.exitCode}:\n${output}`);
    const status = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server not ready in time:\n${output}`);
}

function exited(process: ChildProcess): Promise<number | null> {
  return process.exitCode !== null
    ? Promise.resolve(process.exitCode)
    : new Promise((resolve) => process.once('exit', (code) => resolve(code)));
}

function postgresPid(): number {
  return Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function demoKey(): string {
  const credentials = readFileSync(join(dataDir, 'demo-credentials.txt'), 'utf8');
  return /API key \(all scopes\): (\S+)/.exec(credentials)![1];
}

async function products(key: string): Promise<{ status: number; titles: string[] }> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/products`, {
    headers: { authorization: `Bearer ${key}` },
  });
  const body = (await response.json()) as { data?: { title: string }[] };
  return { status: response.status, titles: (body.data ?? []).map((p) => p.title) };
}

it('starts on a fresh data directory, onboards, and serves the demo key', async () => {
  const server = await start();
  await waitUntilReady(server);
  expect(output).toContain('curl -H "Authorization: Bearer');
  const result = await products(demoKey());
  expect(result.status).toBe(200);
  expect(result.titles).toHaveLength(3);
}, 90_000);

it('stops PostgreSQL with it on SIGTERM, leaving no process', async () => {
  const pid = postgresPid();
  expect(isAlive(pid)).toBe(true);
  child!.kill('SIGTERM');
  expect(await exited(child!)).toBe(0);
  expect(isAlive(pid)).toBe(false);
  expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
}, 60_000);

it('keeps the data across a restart and does not onboard twice, and stops on SIGINT', async () => {
  output = '';
  const server = await start();
  await waitUntilReady(server);
  expect(output).not.toContain('curl -H');
  expect((await products(demoKey())).titles).toHaveLength(3);
  const pid = postgresPid();
  server.kill('SIGINT');
  expect(await exited(server)).toBe(0);
  expect(isAlive(pid)).toBe(false);
}, 90_000);

it('recovers from a SIGKILL that orphaned PostgreSQL', async () => {
  const server = await start();
  await waitUntilReady(server);
  const orphan = postgresPid();
  server.kill('SIGKILL');
  await exited(server);
  expect(isAlive(orphan)).toBe(true);

  const restarted = await start();
  await waitUntilReady(restarted);
  expect(isAlive(orphan)).toBe(false);
  expect((await products(demoKey())).status).toBe(200);
  restarted.kill('SIGTERM');
  expect(await exited(restarted)).toBe(0);
}, 120_000);

it('stops cleanly on SIGTERM in the middle of start-up', async () => {
  const server = await start();
  const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
  for (let waited = 0; !existsSync(pidFile) && waited < 30_000; waited += 10)
    await new Promise((resolve) => setTimeout(resolve, 10));
  const pid = postgresPid();
  server.kill('SIGTERM');
  expect(await exited(server)).toBe(0);
  expect(isAlive(pid)).toBe(false);
}, 60_000);

it('stops at start with one line naming a wrong environment variable', () => {
  let stderr = '';
  let status: number | null = 0;
  try {
    execFileSync(process.execPath, [join(root, 'dist/src/main.js')], {
      env: { ...process.env, PORT: 'eighty', DATA_DIR: dataDir },
      stdio: 'pipe',
    });
  } catch (error) {
    const failure = error as { status: number | null; stderr: Buffer };
    status = failure.status;
    stderr = failure.stderr.toString();
  }
  expect(status).not.toBe(0);
  expect(stderr.trim().split('\n')).toEqual([
    expect.stringMatching(/^Invalid environment variable PORT: /),
  ]);
});

const asRoot = process.getuid?.() === 0;

(asRoot ? it : it.skip)(
  'also runs as an ordinary user (checked here as nobody, since the suite runs as root)',
  async () => {
    port = await freePort();
    const userDir = mkdtempSync(join(tmpdir(), 'dk-embedded-user-'));
    execFileSync('chown', ['nobody', userDir]);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: userDir,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: join(userDir, 'data'),
      LOG_LEVEL: 'warn',
    };
    const server = spawn(
      'setpriv',
      [
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        process.execPath,
        join(root, 'dist/src/main.js'),
      ],
      { cwd: userDir, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    output = '';
    server.stdout!.on('data', (chunk) => (output += chunk));
    server.stderr!.on('data', (chunk) => (output += chunk));
    child = server;
    await waitUntilReady(server);
    const [pid] = readFileSync(join(userDir, 'data', 'postgres', 'postmaster.pid'), 'utf8').split(
      '\n',
    );
    expect(execFileSync('ps', ['-o', 'user=', '-p', pid]).toString().trim()).toBe('nobody');
    server.kill('SIGTERM');
    expect(await exited(server)).toBe(0);
    expect(isAlive(Number(pid))).toBe(false);
  },
  120_000,
);

(asRoot ? it : it.skip)(
  'explains, as root, that a private directory above DATA_DIR keeps PostgreSQL out',
  async () => {
    const privateDir = mkdtempSync(join(tmpdir(), 'dk-private-'));
    chmodSync(privateDir, 0o700);
    await expect(startEmbeddedPostgres({ dataDir: join(privateDir, 'data') })).rejects.toThrow(
      /cannot enter .*dk-private-.*Set DATA_DIR/,
    );
  },
);
