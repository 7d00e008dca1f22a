import { connect } from 'node:net';
import { HttpResponse, startTestApp, TestApp } from './support/test-app';

/** Bad input of every kind: a 4xx problem, and nothing created. */
describe('errors and input', () => {
  let app: TestApp;
  const storesPath = '/v1/platform/stores';
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  async function storeCount(): Promise<number> {
    const [{ count }] = await app.running.dataSource.query(
      'SELECT count(*)::int AS count FROM platform.stores',
    );
    return count;
  }

  function expectProblem(response: HttpResponse, status: number, code: string) {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      type: expect.stringContaining(code),
      title: expect.any(String),
      status,
      detail: expect.any(String),
      code,
    });
    expect(response.body.requestId).toBe(response.headers.get('x-request-id'));
  }

  const valid = { name: 'Shop', handle: 'shop', currency: 'EUR', hosting: 'hosted' };

  it.each<[string, { rawBody: string | Buffer; contentType?: string }, number, string]>([
    [
      'a body over 1 MiB',
      { rawBody: JSON.stringify({ ...valid, name: 'x'.repeat(1024 * 1024) }) },
      413,
      'payload_too_large',
    ],
    [
      'JSON nested 33 levels',
      {
        rawBody: JSON.stringify({ ...valid, domains: JSON.parse('['.repeat(32) + ']'.repeat(32)) }),
      },
      400,
      'validation_failed',
    ],
    [
      'JSON nested 10,000 levels',
      { rawBody: '['.repeat(10_000) + ']'.repeat(10_000) },
      400,
      'validation_failed',
    ],
    [
      'a NUL byte',
      { rawBody: JSON.stringify({ ...valid, name: 'Sh\u0000op' }) },
      400,
      'validation_failed',
    ],
    [
      'a lone surrogate',
      { rawBody: `{"name":"\\ud83d","handle":"shop","currency":"EUR","hosting":"hosted"}` },
      400,
      'validation_failed',
    ],
    [
      'invalid UTF-8',
      {
        rawBody: Buffer.concat([
          Buffer.from('{"name":"'),
          Buffer.from([0xc3, 0x28]),
          Buffer.from('","handle":"shop","currency":"EUR","hosting":"hosted"}'),
        ]),
      },
      400,
      'validation_failed',
    ],
    [
      'a number beyond 2^53',
      {
        rawBody: `{"name":"Shop","handle":"shop","currency":"EUR","hosting":"hosted","domains":[],"x":9007199254740993}`,
      },
      400,
      'validation_failed',
    ],
    ['truncated JSON', { rawBody: '{"name":"Shop",' }, 400, 'validation_failed'],
    ['an empty body', { rawBody: '' }, 400, 'validation_failed'],
    ['an array body', { rawBody: '[]' }, 400, 'validation_failed'],
    ['a string body', { rawBody: '"shop"' }, 400, 'validation_failed'],
    [
      'a prototype key',
      {
        rawBody:
          '{"__proto__":{"admin":true},"name":"Shop","handle":"shop","currency":"EUR","hosting":"hosted"}',
      },
      400,
      'validation_failed',
    ],
    [
      'text instead of JSON',
      { rawBody: 'name=Shop', contentType: 'text/plain' },
      415,
      'unsupported_media_type',
    ],
    [
      'a form instead of JSON',
      { rawBody: 'name=Shop', contentType: 'application/x-www-form-urlencoded' },
      415,
      'unsupported_media_type',
    ],
  ])(
    'answers %s with a problem and creates nothing',
    async (_name, { rawBody, contentType }, status, code) => {
      const before = await storeCount();
      const response = await app.request('POST', storesPath, {
        token: app.adminToken,
        rawBody,
        headers: { 'content-type': contentType ?? 'application/json' },
      });
      expectProblem(response, status, code);
      expect(await storeCount()).toBe(before);
    },
  );

  it('reports every invalid field, with wrong types and unknown fields, and dotted paths', async () => {
    const response = await app.request('POST', storesPath, {
      token: app.adminToken,
      body: {
        name: 42,
        handle: ['shop'],
        currency: true,
        hosting: null,
        domains: 'example.com',
        nested: { deep: 1 },
      },
    });
    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'currency',
      'domains',
      'handle',
      'hosting',
      'name',
      'nested',
    ]);
    for (const error of response.body.errors)
      expect(error).toEqual({
        path: expect.any(String),
        code: expect.any(String),
        message: expect.any(String),
      });
    expect(response.body.errors.find((e: { path: string }) => e.path === 'nested').code).toBe(
      'unknown_field',
    );
  });

  it('reports field errors inside the body with their dotted path', async () => {
    const response = await app.request('POST', storesPath, {
      token: app.adminToken,
      rawBody:
        '{"name":"ok","handle":"ok","currency":"EUR","hosting":"hosted","domains":["a.example","b\\u0000.example"]}',
    });
    expect(response.body.errors).toEqual([
      { path: 'domains.1', code: 'invalid_string', message: expect.any(String) },
    ]);
  });

  it('refuses bad query parameters', async () => {
    for (const query of [
      'limit=0',
      'limit=abc',
      'limit=1e3',
      'limit=99999999999999999999',
      'cursor=%00',
      'unknown=1',
    ]) {
      const response = await app.request('GET', `${storesPath}?${query}`, {
        token: app.adminToken,
      });
      expectProblem(response, 400, 'validation_failed');
    }
  });

  it('says "must be an integer" for a non-numeric limit', async () => {
    for (const query of ['limit=abc', 'limit=1&limit=2']) {
      const response = await app.request('GET', `${storesPath}?${query}`, {
        token: app.adminToken,
      });
      expect(response.body.errors).toEqual([
        { path: 'limit', code: 'is_int', message: expect.stringContaining('integer') },
      ]);
    }
  });

  it('answers a malformed URL with a problem and a request id', async () => {
    const response = await app.request('GET', '/v1/products/%ZZ', { token: app.adminToken });
    expectProblem(response, 400, 'bad_request');
  });

  it('answers a request that is not valid HTTP with a problem', async () => {
    const { port } = new URL(app.url);
    const raw = await new Promise<string>((resolve, reject) => {
      let received = '';
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write(
          'POST /v1/platform/stores HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        ),
      );
      socket.on('data', (chunk) => (received += chunk));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(body)).toMatchObject({
      status: 400,
      code: 'bad_request',
      requestId: expect.stringMatching(/^req_/),
    });
  });

  it('answers unknown routes and methods with a 404 problem', async () => {
    expectProblem(
      await app.request('GET', '/v1/nothing-here', { token: app.adminToken }),
      404,
      'not_found',
    );
    expectProblem(
      await app.request('PUT', '/v1/platform/stores', { token: app.adminToken, body: {} }),
      404,
      'not_found',
    );
  });

  it.each([
    ['no header', undefined, 'Bearer realm="dukkadee"'],
    ['an unknown scheme', 'Basic dXNlcjpwYXNz', 'error="invalid_token"'],
    ['a malformed key', 'Bearer dk_live_nope', 'error="invalid_token"'],
    [
      'a key with a bad checksum',
      'Bearer dk_live_0000000000000000000000000000000000000A',
      'error="invalid_token"',
    ],
  ])(
    'answers a request with %s with 401 and WWW-Authenticate',
    async (_name, authorization, challenge) => {
      const response = await app.request('GET', '/v1/products', {
        headers: authorization ? { authorization } : {},
      });
      expectProblem(response, 401, 'unauthenticated');
      expect(response.headers.get('www-authenticate')).toContain(challenge);
    },
  );

  it('answers a valid key without the scope with 403 insufficient_scope', async () => {
    const { key } = await app.createStore(['read_orders']);
    const response = await app.request('GET', '/v1/products', { token: key });
    expectProblem(response, 403, 'insufficient_scope');
    expect(response.headers.get('www-authenticate')).toContain('scope="read_products"');
  });

  it('checks the key checksum before any database lookup', async () => {
    app.sql.statements.length = 0;
    await app.request('GET', '/v1/products', {
      token: 'dk_live_0000000000000000000000000000000000000A',
    });
    expect(app.sql.statements.filter((s) => s.includes('api_keys'))).toEqual([]);
  });
});
