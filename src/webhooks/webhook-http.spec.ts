import http from 'node:http';
import net from 'node:net';
import { destroyWebhookAgents, parseRetryAfter, postWebhook, WebhookPost } from './webhook-http';

const MiB = 1024 * 1024;

function listen(server: net.Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

function close(server: net.Server): Promise<void> {
  if (server instanceof http.Server) server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A raw TCP listener that only counts who reaches it. */
async function startCanary(
  host: string,
): Promise<{ server: net.Server; port: number; count: () => number }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  const port = await listen(server, host);
  return { server, port, count: () => connections };
}

function post(url: string, overrides: Partial<WebhookPost> = {}): ReturnType<typeof postWebhook> {
  return postWebhook({
    url,
    headers: {},
    body: '{"type":"webhook.test"}',
    allowPrivateNetworks: true,
    timeoutMs: 5_000,
    ...overrides,
  });
}

afterAll(() => destroyWebhookAgents());

describe('postWebhook refuses forbidden addresses before connecting', () => {
  let canary: Awaited<ReturnType<typeof startCanary>>;
  let canary6: Awaited<ReturnType<typeof startCanary>> | null = null;

  beforeAll(async () => {
    canary = await startCanary('127.0.0.1');
    try {
      canary6 = await startCanary('::1');
    } catch {
      canary6 = null; // No IPv6 loopback here; the IPv4 canary still covers the main cases.
    }
  });
  afterAll(async () => {
    await close(canary.server);
    if (canary6) await close(canary6.server);
  });

  it.each([
    ['IPv4 literal', (port: number) => `http://127.0.0.1:${port}/hook`],
    ['short IPv4', (port: number) => `http://127.1:${port}/hook`],
    ['decimal IPv4', (port: number) => `http://2130706433:${port}/hook`],
    ['octal IPv4', (port: number) => `http://0177.0.0.1:${port}/hook`],
    ['hex IPv4', (port: number) => `http://0x7f000001:${port}/hook`],
    ['unspecified 0.0.0.0', (port: number) => `http://0.0.0.0:${port}/hook`],
    ['IPv4-mapped IPv6', (port: number) => `http://[::ffff:127.0.0.1]:${port}/hook`],
    ['IPv4-mapped IPv6, hex form', (port: number) => `http://[::ffff:7f00:1]:${port}/hook`],
    ['hostname localhost', (port: number) => `http://localhost:${port}/hook`],
    ['https to localhost', (port: number) => `https://localhost:${port}/hook`],
  ])('%s', async (_name, url) => {
    const result = await post(url(canary.port), { allowPrivateNetworks: false });
    expect(result).toMatchObject({ statusCode: null, error: 'address_forbidden' });
    expect(canary.count()).toBe(0);
  });

  it('IPv6 loopback and unspecified', async () => {
    if (!canary6) return;
    for (const host of ['[::1]', '[::]']) {
      const result = await post(`http://${host}:${canary6.port}/`, { allowPrivateNetworks: false });
      expect(result.error).toBe('address_forbidden');
    }
    expect(canary6.count()).toBe(0);
  });

  // Without this control, zero connections could just mean the canary is unreachable.
  it('reaches the canary when private networks are allowed', async () => {
    const result = await post(`http://127.0.0.1:${canary.port}/`, { timeoutMs: 2_000 });
    expect(result.statusCode).toBeNull();
    expect(result.error).not.toBeNull();
    expect(canary.count()).toBe(1);
  });
});

describe('postWebhook against a local receiver', () => {
  interface Received {
    method: string | undefined;
    url: string | undefined;
    headers: http.IncomingHttpHeaders;
    body: string;
  }

  let receiver: http.Server;
  let base: string;
  let received: Received[];
  let connections: number;
  let bigResponseClosedEarly: Promise<boolean>;
  let redirectTarget: http.Server;
  let redirectTargetRequests: number;

  beforeAll(async () => {
    redirectTargetRequests = 0;
    redirectTarget = http.createServer((_req, res) => {
      redirectTargetRequests++;
      res.end('followed');
    });
    const targetPort = await listen(redirectTarget, '127.0.0.1');

    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        received.push({ method: req.method, url: req.url, headers: req.headers, body });
        respond(req.url ?? '', res, targetPort);
      });
    });
    receiver.on('connection', () => connections++);
    const port = await listen(receiver, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });

  beforeEach(() => {
    received = [];
    connections = 0;
  });

  afterAll(async () => {
    await close(receiver);
    await close(redirectTarget);
  });

  function respond(path: string, res: http.ServerResponse, targetPort: number): void {
    switch (path) {
      case '/ok':
        res.end('received');
        return;
      case '/error':
        res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
        return;
      case '/redirect':
        res.writeHead(302, { location: `http://127.0.0.1:${targetPort}/elsewhere` }).end();
        return;
      case '/hang':
        return;
      case '/big': {
        bigResponseClosedEarly = new Promise((resolve) =>
          res.on('close', () => resolve(!res.writableFinished)),
        );
        res.writeHead(200, { 'content-length': String(10 * MiB) });
        // Streamed so the receiver really is stopped by the client, not by its own buffers.
        const chunk = Buffer.alloc(64 * 1024, 'a');
        let sent = 0;
        const pump = (): void => {
          while (sent < 10 * MiB && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end();
        };
        pump();
        return;
      }
      case '/utf8':
        res.end('éééé');
        return;
      case '/retry-seconds':
        res.writeHead(429, { 'retry-after': '120' }).end();
        return;
      case '/retry-date':
        res.writeHead(503, { 'retry-after': new Date(Date.now() + 90_000).toUTCString() }).end();
        return;
      case '/retry-invalid':
        res.writeHead(503, { 'retry-after': 'soon' }).end();
        return;
      default:
        res.writeHead(404).end();
    }
  }

  it('POSTs the body as JSON with the given headers and returns a 2xx with its body', async () => {
    const result = await post(`${base}/ok`, {
      headers: { 'webhook-id': 'evt_1', 'Content-Type': 'text/plain' },
      body: '{"id":"evt_1"}',
    });
    expect(result).toMatchObject({
      statusCode: 200,
      error: null,
      responseBody: 'received',
      retryAfterSeconds: null,
    });
    expect(result.durationMs).toBeGreaterThan(0);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/ok', body: '{"id":"evt_1"}' });
    expect(received[0].headers['content-type']).toBe('application/json');
    expect(received[0].headers['webhook-id']).toBe('evt_1');
  });

  it('reports a 500 as a plain result', async () => {
    const result = await post(`${base}/error`);
    expect(result).toMatchObject({ statusCode: 500, error: null, responseBody: 'boom' });
  });

  it('does not follow redirects', async () => {
    const result = await post(`${base}/redirect`);
    expect(result).toMatchObject({ statusCode: 302, error: null });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(redirectTargetRequests).toBe(0);
  });

  it('times out a receiver that never answers', async () => {
    const result = await post(`${base}/hang`, { timeoutMs: 300 });
    expect(result).toMatchObject({ statusCode: null, error: 'timeout', responseBody: '' });
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(2_000);
  });

  it('keeps at most maxResponseBytes of a 10 MiB body and drops the connection', async () => {
    const result = await post(`${base}/big`, { maxResponseBytes: 1_000 });
    expect(result).toMatchObject({ statusCode: 200, error: null });
    expect(result.responseBody).toBe('a'.repeat(1_000));
    expect(await bigResponseClosedEarly).toBe(true);
  });

  it('keeps 65,536 bytes by default', async () => {
    const result = await post(`${base}/big`);
    expect(result.responseBody).toHaveLength(65_536);
  });

  it('never splits a UTF-8 character at the byte limit', async () => {
    const result = await post(`${base}/utf8`, { maxResponseBytes: 5 });
    expect(result.responseBody).toBe('éé');
  });

  it('parses Retry-After in seconds and as an HTTP date', async () => {
    const seconds = await post(`${base}/retry-seconds`);
    expect(seconds).toMatchObject({ statusCode: 429, retryAfterSeconds: 120 });
    const date = await post(`${base}/retry-date`);
    expect(date.statusCode).toBe(503);
    expect(date.retryAfterSeconds).toBeGreaterThanOrEqual(88);
    expect(date.retryAfterSeconds).toBeLessThanOrEqual(91);
    const invalid = await post(`${base}/retry-invalid`);
    expect(invalid.retryAfterSeconds).toBeNull();
  });

  it('reuses keep-alive connections', async () => {
    const before = connections;
    for (let i = 0; i < 20; i++) expect((await post(`${base}/ok`)).statusCode).toBe(200);
    expect(connections - before).toBeLessThanOrEqual(1);
    // No cap per origin (the dispatcher bounds concurrency), and the opened sockets are reused.
    const results = await Promise.all(Array.from({ length: 100 }, () => post(`${base}/ok`)));
    expect(results.every((result) => result.statusCode === 200)).toBe(true);
    const afterBurst = connections;
    await Promise.all(Array.from({ length: 50 }, () => post(`${base}/ok`)));
    expect(connections).toBe(afterBurst);
  });

  it('never reuses a connection opened with private networks allowed once they are not', async () => {
    const localhost = base.replace('127.0.0.1', 'localhost');
    expect((await post(`${localhost}/ok`)).statusCode).toBe(200);
    const result = await post(`${localhost}/ok`, { allowPrivateNetworks: false });
    expect(result.error).toBe('address_forbidden');
    expect(received).toHaveLength(1);
  });

  it('reports a refused connection', async () => {
    const closed = http.createServer();
    const port = await listen(closed, '127.0.0.1');
    await close(closed);
    const result = await post(`http://127.0.0.1:${port}/`);
    expect(result).toMatchObject({ statusCode: null, error: 'connection_refused' });
  });

  it('reports a TLS failure', async () => {
    const result = await post(`${base.replace('http:', 'https:')}/ok`);
    expect(result).toMatchObject({ statusCode: null, error: 'tls_error' });
  });

  it('never throws, even on unusable input', async () => {
    expect((await post('not a url')).error).toBe('invalid_url');
    expect((await post('ftp://127.0.0.1/')).error).toBe('invalid_url');
    const badHeader = await post(`${base}/ok`, { headers: { 'x-bad': 'a\r\nInjected: 1' } });
    expect(badHeader).toMatchObject({ statusCode: null, error: 'network_error: ERR_INVALID_CHAR' });
    expect(received).toHaveLength(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it.each([
    ['120', 120],
    [' 0 ', 0],
    ['Thu, 01 Jan 2026 00:02:00 GMT', 120],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0],
    ['Thursday, 01-Jan-26 00:01:00 GMT', 60],
    ['Thu Jan  1 00:00:30 2026', 30],
  ])('%j gives %d', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([
    [undefined],
    [''],
    ['-5'],
    ['1.5'],
    ['soon'],
    ['2026-01-01T00:02:00Z'],
    ['99999999999999999999'],
  ])('%j gives null', (value) => {
    expect(parseRetryAfter(value, now)).toBeNull();
  });
});
