import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SCOPES } from '../../src/common/scopes';
import { startTestApp, TestApp } from './test-app';

export { buildDist } from './dist';

/**
 * Two real instances on two databases, a self-hosted one (the "local" instance, holding one
 * store) and the platform, and the sync agent between them as a real process run with the local
 * instance's environment, as `npm run sync` runs it.
 */

const root = join(__dirname, '..', '..');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
export type Json = any;

export interface SyncPair {
  readonly platform: TestApp;
  readonly local: TestApp;
  /** The store's handle, the same on both sides. */
  readonly handle: string;
  /** The test's own keys (every scope) on each side, and the agent's key on the platform. */
  readonly keys: { platform: string; local: string; agent: string };
  readonly storeIds: { platform: string; local: string };
  /** Where the agents' logs (and data) go. */
  readonly workDir: string;
  close(): Promise<void>;
}

async function createSelfHostedStore(app: TestApp, handle: string, scopes: string[]) {
  const store = await app.request('POST', '/v1/platform/stores', {
    token: app.adminToken,
    body: { name: 'Corner shop', handle, currency: 'EUR', hosting: 'self_hosted' },
  });
  expect(store.status).toBe(201);
  const key = async (keyScopes: string[]) => {
    const created = await app.request('POST', `/v1/platform/stores/${store.body.id}/api-keys`, {
      token: app.adminToken,
      body: { name: keyScopes.join(' '), scopes: keyScopes },
    });
    expect(created.status).toBe(201);
    return created.body.key as string;
  };
  return { storeId: store.body.id as string, key: await key(scopes), extraKey: key };
}

/** Both instances, each with the self-hosted store `handle`, and the keys. */
export async function startSyncPair(handle: string): Promise<SyncPair> {
  const [platform, local] = await Promise.all([startTestApp(), startTestApp()]);
  const onPlatform = await createSelfHostedStore(platform, handle, [...SCOPES]);
  const onLocal = await createSelfHostedStore(local, handle, [...SCOPES]);
  return {
    platform,
    local,
    handle,
    keys: {
      platform: onPlatform.key,
      local: onLocal.key,
      // The agent's key holds `sync` alone: it also receives the order events it listens for.
      agent: await onPlatform.extraKey(['sync']),
    },
    storeIds: { platform: onPlatform.storeId, local: onLocal.storeId },
    workDir: mkdtempSync(join(tmpdir(), 'dk-sync-agent-')),
    async close() {
      await Promise.all([platform.close(), local.close()]);
    },
  };
}

/** `node dist/src/sync-agent/main.js …`, its output in a log file. */
export class AgentProcess {
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolve(this.exitCode);
      }),
    );
  }

  /**
   * The agent of `pair`'s local store, talking to `platformUrl` (the platform itself unless
   * told otherwise, e.g. through a relay).
   */
  static start(
    pair: SyncPair,
    name: string,
    extraArgs: string[] = [],
    platformUrl: string = pair.platform.url,
  ): AgentProcess {
    const logFile = join(pair.workDir, `${name}.log`);
    const log = openSync(logFile, 'a');
    try {
      const child = spawn(
        process.execPath,
        [
          'dist/src/sync-agent/main.js',
          '--platform',
          platformUrl,
          '--key',
          pair.keys.agent,
          '--store',
          pair.handle,
          ...extraArgs,
        ],
        {
          cwd: root,
          // The self-hosted instance's own environment, nothing else.
          env: {
            PATH: process.env.PATH ?? '',
            NODE_ENV: 'test',
            DATABASE_URL: pair.local.databaseUrl,
            ENCRYPTION_KEY: pair.local.running.config.encryptionKey.toString('base64'),
            PLATFORM_ADMIN_TOKEN: pair.local.adminToken,
            DATA_DIR: join(pair.workDir, 'data'),
            LOG_LEVEL: 'info',
          },
          stdio: ['ignore', log, log],
        },
      );
      return new AgentProcess(child, logFile);
    } finally {
      closeSync(log);
    }
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The log lines (JSON) written so far. */
  lines(): Json[] {
    return readFileSync(this.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
  }

  tail(count = 30): string {
    return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.running) return this.exitCode ?? null;
    this.child.kill(signal);
    return this.exited;
  }
}

/**
 * `until(what, check, timeoutMs, intervalMs)`: polls `check` until it answers something, and
 * fails after the deadline with `context()` (the agent's log) in the message.
 */
export function waiter(context: () => string | undefined) {
  return async function until<T>(
    what: string,
    check: () => Promise<T | undefined | false>,
    timeoutMs = 15_000,
    intervalMs = 50,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${what}\n--- agent log ---\n${context() ?? ''}`);
      await sleep(intervalMs);
    }
  };
}

/** Every item of a list (`path` may carry a query), page by page, as a client reads it. */
export async function listAll(app: TestApp, token: string, path: string): Promise<Json[]> {
  const items: Json[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await app.request('GET', `${path}${path.includes('?') ? '&' : '?'}${query}`, {
      token,
    });
    expect(page.status).toBe(200);
    items.push(...page.body.data);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}
