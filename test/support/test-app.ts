import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Logger as TypeOrmLogger } from 'typeorm';
import { RunningApplication, startApplication } from '../../src/app/application';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/observability/logger';
import { createTestDatabase } from './test-database';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  /** Sent as is, for malformed-body tests. */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

/** Every statement the app sends, for N+1 checks and isolation checks. */
export class SqlRecorder implements TypeOrmLogger {
  readonly statements: string[] = [];
  /** The same statements with the query runner (the connection) each was sent on. */
  readonly onConnections: { readonly sql: string; readonly runner: unknown }[] = [];
  logQuery(query: string, _parameters?: unknown[], runner?: unknown): void {
    // The periodic check of cached credentials (CredentialFreshness, CredentialWatch) runs on a
    // timer, not for a request: recording it would make the suites' statement counts racy.
    if (query.includes('NOT platform.credential_active(id)')) return;
    this.statements.push(query);
    this.onConnections.push({ sql: query, runner });
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

export interface TestApp {
  readonly running: RunningApplication;
  readonly url: string;
  readonly adminToken: string;
  readonly logLines: Record<string, unknown>[];
  readonly sql: SqlRecorder;
  readonly databaseUrl: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  request<T = any>(
    method: string,
    path: string,
    options?: RequestOptions,
  ): Promise<HttpResponse<T>>;
  /** A store with an API key holding the given scopes. */
  createStore(
    scopes: string[],
    handle?: string,
  ): Promise<{ storeId: string; key: string; keyId: string }>;
  close(): Promise<void>;
}

/** Boots the real application on its own fresh database, listening on a random port. */
export async function startTestApp(
  options: { env?: Record<string, string>; onboarding?: boolean } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const adminToken = `test_admin_${randomBytes(16).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    PLATFORM_ADMIN_TOKEN: adminToken,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'dk-test-')),
    LOG_LEVEL: 'info',
    // Suites send thousands of REST requests with one key; rate-limits.e2e-spec sets its own.
    // GraphQL keeps its default bucket, which its suites assert.
    RATE_LIMIT_BUCKET: '1000000',
    RATE_LIMIT_REFILL_PER_SECOND: '1000000',
    ...options.env,
  });
  const logLines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  // The production logger (its serializers and redaction), writing to the lines tests read.
  const logger = createLogger('info', sink);
  const sql = new SqlRecorder();
  const running = await startApplication(config, {
    onboarding: options.onboarding ?? false,
    logger,
    sqlLogger: sql,
  });
  let sequence = 0;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const request = async <T = any>(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<HttpResponse<T>> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | Uint8Array<ArrayBuffer> | undefined =
      typeof opts.rawBody === 'string' || opts.rawBody === undefined
        ? opts.rawBody
        : new Uint8Array(opts.rawBody);
    if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (
      body !== undefined &&
      !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')
    ) {
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${running.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (metrics): the text stays.
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  };

  return {
    running,
    url: running.url,
    adminToken,
    logLines,
    sql,
    databaseUrl: database.url,
    request,
    async createStore(scopes, handle) {
      sequence += 1;
      const store = await request('POST', '/v1/platform/stores', {
        token: adminToken,
        body: {
          name: `Store ${sequence}`,
          handle: handle ?? `store-${sequence}-${randomBytes(3).toString('hex')}`,
          currency: 'EUR',
          hosting: 'hosted',
        },
      });
      if (store.status !== 201) throw new Error(`store creation failed: ${store.text}`);
      const key = await request('POST', `/v1/platform/stores/${store.body.id}/api-keys`, {
        token: adminToken,
        body: { name: 'test', scopes },
      });
      if (key.status !== 201) throw new Error(`key creation failed: ${key.text}`);
      return { storeId: store.body.id, key: key.body.key, keyId: key.body.id };
    },
    async close() {
      await running.close();
      await database.drop();
    },
  };
}
