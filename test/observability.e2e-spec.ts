import { startTestApp, TestApp } from './support/test-app';

describe('observability', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('echoes a sane X-Request-Id and mints one otherwise', async () => {
    const echoed = await app.request('GET', '/health/live', {
      headers: { 'x-request-id': 'client-abc.123' },
    });
    expect(echoed.headers.get('x-request-id')).toBe('client-abc.123');
    const minted = await app.request('GET', '/health/live', {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(minted.headers.get('x-request-id')).toMatch(/^req_[0-9a-z]{26}$/);
    const problem = await app.request('GET', '/v1/products', {
      headers: { 'x-request-id': 'trace-1' },
    });
    expect(problem.body.requestId).toBe('trace-1');
  });

  it('reports liveness and readiness', async () => {
    expect((await app.request('GET', '/health/live')).status).toBe(200);
    const ready = await app.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok' });
  });

  it('logs one JSON line per request with request, store and credential ids and never the key', async () => {
    const { key, storeId, keyId } = await app.createStore(['read_products']);
    await app.request('GET', '/v1/products?limit=5', {
      token: key,
      headers: { 'x-request-id': 'log-probe-1' },
    });
    const lines = app.logLines.filter((line) => line.requestId === 'log-probe-1');
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        route: '/v1/products',
        status: 200,
        storeId,
        credentialId: keyId,
        durationMs: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(app.logLines)).not.toContain(key);
    expect(JSON.stringify(app.logLines)).not.toContain(app.adminToken);
  });

  it('exposes HTTP durations by route and status and database pool figures', async () => {
    const { key } = await app.createStore(['read_products']);
    await app.request('GET', '/v1/products', { token: key });
    await app.request('GET', '/v1/products/prod_01jzzzzzzzzzzzzzzzzzzzzzzz', { token: key });
    const metrics = await app.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/v1\/products",status="200"\} \d+/,
    );
    expect(metrics.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/v1\/products\/:id",status="404"\} 1/,
    );
    expect(metrics.text).toMatch(/^db_pool_connections_total [1-9]/m);
    expect(metrics.text).toMatch(/^db_pool_connections_idle \d+/m);
    expect(metrics.text).toMatch(/^db_pool_waiting_requests \d+/m);
    expect(metrics.text).toContain('process_resident_memory_bytes');
  });

  it('writes lastUsedAt on first use and at most once a minute after', async () => {
    const { key, keyId, storeId } = await app.createStore(['read_products']);
    const lastUsed = async () => {
      const [row] = await app.running.dataSource.query(
        'SELECT last_used_at FROM platform.api_keys WHERE id = $1',
        [keyId],
      );
      return row.last_used_at as Date | null;
    };
    expect(await lastUsed()).toBeNull();
    await app.request('GET', '/v1/products', { token: key });
    await waitFor(async () => (await lastUsed()) !== null);
    const first = await lastUsed();
    app.sql.statements.length = 0;
    for (let i = 0; i < 5; i++) await app.request('GET', '/v1/products', { token: key });
    expect(app.sql.statements.filter((s) => s.startsWith('UPDATE platform.api_keys'))).toEqual([]);
    expect(await lastUsed()).toEqual(first);
    const listed = await app.request('GET', `/v1/platform/stores/${storeId}/api-keys`, {
      token: app.adminToken,
    });
    expect(listed.body.data[0].lastUsedAt).toBe(first!.toISOString());
  });
});

describe('metrics behind a token', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { METRICS_TOKEN: 'scrape-secret' } });
  });
  afterAll(() => app.close());

  it('requires METRICS_TOKEN when it is set', async () => {
    expect((await app.request('GET', '/metrics')).status).toBe(401);
    expect((await app.request('GET', '/metrics', { token: 'scrape-secret' })).status).toBe(200);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
