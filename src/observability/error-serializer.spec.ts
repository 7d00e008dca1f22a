import { once } from 'node:events';
import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Redis from 'ioredis';
import { Client, Pool } from 'pg';
import { createLogger } from './logger';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB_PASSWORD = 'pg-password-5cf1';
const REDIS_PASSWORD = 'redis-password-9d2e';

/** The production logger writing into an array, as an operator's log collector would read it. */
function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

/** The URL with a password: PostgreSQL on trust authentication accepts and ignores it. */
function urlWithPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

describe('the error serializer of the logger', () => {
  it('keeps what an operator needs of a pg pool error, and none of the client it carries', async () => {
    const pool = new Pool({ connectionString: urlWithPassword(DATABASE_URL, DB_PASSWORD) });
    const killer = new Client({ connectionString: DATABASE_URL });
    await killer.connect();
    try {
      const client = await pool.connect();
      const { processID, secretKey } = client as unknown as {
        processID: number;
        secretKey: number;
      };
      client.release();
      // The backend of an idle pooled client goes away: pg-pool emits the error with `client` on it.
      const emitted = once(pool, 'error');
      await killer.query('SELECT pg_terminate_backend($1)', [processID]);
      const [error] = (await emitted) as [Error & { client?: unknown }];
      expect(error.client).toBeDefined();

      const { logger, lines } = capture();
      logger.error({ err: error }, 'job queue error');
      logger.error(error);
      const line = JSON.parse(lines[0]);
      expect(line.err).toMatchObject({ message: expect.any(String), code: '57P01' });
      expect(line.err.stack).toContain('terminating connection');
      for (const text of lines) {
        expect(text).not.toContain(DB_PASSWORD);
        expect(text).not.toContain('secretKey');
        expect(text).not.toContain('processID');
        expect(text).not.toContain(String(secretKey));
        expect(text).not.toContain('postgres://');
        expect(text).not.toContain('"client"');
      }
    } finally {
      await killer.end();
      await pool.end();
    }
  });

  it('keeps the code and the failing table of a query error on a real pg client', async () => {
    const client = new Client({ connectionString: urlWithPassword(DATABASE_URL, DB_PASSWORD) });
    await client.connect();
    try {
      const error = await client.query('SELECT * FROM no_such_table_here').catch((e: Error) => e);
      // What libraries do: the failing client travels with its error.
      Object.assign(error as object, { client });
      const { logger, lines } = capture();
      logger.warn({ err: error }, 'query failed');
      const line = JSON.parse(lines[0]);
      expect(line.err).toMatchObject({ type: 'DatabaseError', code: '42P01', severity: 'ERROR' });
      expect(lines[0]).not.toContain(DB_PASSWORD);
      expect(lines[0]).not.toContain('secretKey');
      expect(lines[0]).not.toContain('connectionParameters');
    } finally {
      await client.end();
    }
  });

  it('keeps the command name of an ioredis error, never its arguments', async () => {
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await redis.connect();
    try {
      // A real reply error whose command carries the password (this Redis has none set).
      const error = await redis.auth(REDIS_PASSWORD).catch((e: Error) => e);
      expect((error as { command?: { args: string[] } }).command?.args).toContain(REDIS_PASSWORD);
      const { logger, lines } = capture();
      logger.warn({ err: error }, 'redis failed');
      const line = JSON.parse(lines[0]);
      expect(line.err).toMatchObject({ type: 'ReplyError', command: 'auth' });
      expect(lines[0]).not.toContain(REDIS_PASSWORD);
    } finally {
      redis.disconnect();
    }
  });

  it('drops the password of a Redis URL from a connection error', async () => {
    const redis = new Redis(`redis://:${REDIS_PASSWORD}@127.0.0.1:1/0`, {
      lazyConnect: true,
      retryStrategy: () => null,
    });
    const failed = once(redis, 'error');
    redis.connect().catch(() => undefined);
    const [error] = (await failed) as [Error];
    redis.disconnect();
    const { logger, lines } = capture();
    logger.warn({ err: error }, 'redis connection failed');
    expect(JSON.parse(lines[0]).err).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect' });
    expect(lines[0]).not.toContain(REDIS_PASSWORD);
  });

  describe('an HTTP client error (the Axios shape)', () => {
    let server: Server;
    beforeAll(async () => {
      server = createServer((_request, response) => response.writeHead(500).end('secret body'));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
    });
    afterAll(() => server.close());

    it('keeps the method, the URL without credentials or query, and the status', async () => {
      const { port } = server.address() as AddressInfo;
      const url = `http://webhook-user:url-password-77@127.0.0.1:${port}/hooks/orders?token=query-token-42`;
      const headers = { Authorization: 'Bearer dk_live_bearertoken1234567890abcdefghijkl' };
      // A real request and response, hung on an error the way Axios does.
      const clientRequest = request(url, { method: 'POST', headers });
      clientRequest.end('{"password":"body-password"}');
      const [response] = (await once(clientRequest, 'response')) as [NodeJS.ReadableStream];
      const config = { method: 'post', url, headers, auth: { username: 'u', password: 'pw-9' } };
      const error = Object.assign(new Error('Request failed with status code 500'), {
        name: 'AxiosError',
        code: 'ERR_BAD_RESPONSE',
        isAxiosError: true,
        config,
        request: clientRequest,
        response: { status: 500, headers: {}, data: 'secret body', config, request: clientRequest },
      });
      response.resume();

      const { logger, lines } = capture();
      logger.warn({ err: error }, 'webhook endpoint failed');
      expect(JSON.parse(lines[0]).err).toMatchObject({
        code: 'ERR_BAD_RESPONSE',
        method: 'POST',
        url: `http://127.0.0.1:${port}/hooks/orders`,
        status: 500,
      });
      for (const secret of [
        'url-password-77',
        'query-token-42',
        'bearertoken',
        'body-password',
        'pw-9',
        'secret body',
      ])
        expect(lines[0]).not.toContain(secret);
    });
  });

  it('scrubs connection strings and tokens that a message or a cause quotes', () => {
    const cause = new Error('auth header was "Bearer abc.def.ghi"');
    const error = new Error('connecting to postgres://app:db-pass-1@db.internal:5432/app failed', {
      cause,
    });
    const { logger, lines } = capture();
    logger.error({ err: error }, 'database unreachable');
    const line = JSON.parse(lines[0]);
    expect(line.err.message).toBe(
      'connecting to postgres://[redacted]@db.internal:5432/app failed',
    );
    expect(line.err.cause.message).toBe('auth header was "Bearer [redacted]"');
    expect(lines[0]).not.toContain('db-pass-1');
    expect(lines[0]).not.toContain('abc.def.ghi');
  });
});
