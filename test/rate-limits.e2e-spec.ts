import Redis from 'ioredis';
import { SCOPES } from '../src/common/scopes';
import { freePort } from '../harness/ports';
import { Relay } from './support/relay';
import { REDIS_URL, redisReachable } from './support/redis';
import { HttpResponse, startTestApp, TestApp } from './support/test-app';

/** A bucket of 3 requests refilled at 1 per second: small enough to empty in a test. */
const SMALL_BUCKETS = {
  RATE_LIMIT_BUCKET: '3',
  RATE_LIMIT_REFILL_PER_SECOND: '1',
  GRAPHQL_COST_BUCKET: '150',
  GRAPHQL_COST_REFILL_PER_SECOND: '1',
};

/** 101 points: a first run leaves 49 of 150, a second is refused. */
const COSTLY_QUERY = '{ products(first: 50) { nodes { id variants { sku } } } }';

function rateLimitOf(response: HttpResponse) {
  const header = (name: string) => response.headers.get(name);
  if (header('ratelimit-limit') === null) return null;
  for (const name of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'])
    expect(header(name)).toMatch(/^\d+$/);
  return {
    limit: Number(header('ratelimit-limit')),
    remaining: Number(header('ratelimit-remaining')),
    reset: Number(header('ratelimit-reset')),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('REST rate limits', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ env: SMALL_BUCKETS });
  });
  afterAll(() => app.close());

  const products = (token: string) => app.request('GET', '/v1/products', { token });

  it('sends RateLimit headers on 2xx answers and on problems after authentication', async () => {
    const { key } = await app.createStore(['read_products']);
    const ok = await products(key);
    expect(ok.status).toBe(200);
    expect(rateLimitOf(ok)).toEqual({ limit: 3, remaining: 2, reset: 1 });
    const forbidden = await app.request('GET', '/v1/orders', { token: key });
    expect(forbidden.status).toBe(403);
    expect(rateLimitOf(forbidden)).toEqual({ limit: 3, remaining: 1, reset: 2 });
    const missing = await app.request('GET', '/v1/products/prod_01jzzzzzzzzzzzzzzzzzzzzzzz', {
      token: key,
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(rateLimitOf(missing)).toEqual({ limit: 3, remaining: 0, reset: 3 });
  });

  it('sends none on unauthenticated answers', async () => {
    const anonymous = await app.request('GET', '/v1/products', { token: null });
    expect(anonymous.status).toBe(401);
    expect(rateLimitOf(anonymous)).toBeNull();
    const wrong = await products('dk_live_0000000000000000000000000000000000000A');
    expect(wrong.status).toBe(401);
    expect(rateLimitOf(wrong)).toBeNull();
    expect(rateLimitOf(await app.request('GET', '/health/live'))).toBeNull();
  });

  it('answers 429 rate_limited with Retry-After once the bucket is empty, and serves again after it', async () => {
    const { key } = await app.createStore(['read_products']);
    for (let i = 0; i < 3; i++) expect((await products(key)).status).toBe(200);
    const refused = await products(key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(rateLimitOf(refused)).toMatchObject({ limit: 3, remaining: 0 });
    await sleep(Number(refused.headers.get('retry-after')) * 1000 + 50);
    const again = await products(key);
    expect(again.status).toBe(200);
    expect(rateLimitOf(again)?.remaining).toBe(0);
  });

  it('keeps one bucket per credential and store: other keys are unaffected', async () => {
    const first = await app.createStore(['read_products']);
    for (let i = 0; i < 3; i++) await products(first.key);
    expect((await products(first.key)).status).toBe(429);
    const sibling = await app.request('POST', `/v1/platform/stores/${first.storeId}/api-keys`, {
      token: app.adminToken,
      body: { name: 'sibling', scopes: ['read_products'] },
    });
    const sameStore = await products(sibling.body.key);
    expect(sameStore.status).toBe(200);
    expect(rateLimitOf(sameStore)?.remaining).toBe(2);
    const otherStore = await app.createStore(['read_products']);
    expect((await products(otherStore.key)).status).toBe(200);
  });

  it('does not limit the platform admin', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await app.request('GET', '/v1/platform/stores', { token: app.adminToken });
      expect(response.status).toBe(200);
      expect(rateLimitOf(response)).toBeNull();
    }
  });

  it("applies a key's own limits set through the platform API, and null resets them", async () => {
    const { storeId, key, keyId } = await app.createStore([...SCOPES]);
    const path = `/v1/platform/stores/${storeId}/api-keys/${keyId}`;
    const patch = (body: unknown) => app.request('PATCH', path, { token: app.adminToken, body });

    const raised = await patch({ rateLimit: { bucket: 50, refillPerSecond: 5 } });
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({
      id: keyId,
      storeId,
      rateLimit: { bucket: 50, refillPerSecond: 5 },
      graphqlCost: { bucket: 150, refillPerSecond: 1 },
    });
    expect(rateLimitOf(await products(key))).toEqual({ limit: 50, remaining: 49, reset: 1 });

    const both = await patch({ graphqlCost: { bucket: 500, refillPerSecond: 10 } });
    expect(both.body).toMatchObject({
      rateLimit: { bucket: 50, refillPerSecond: 5 },
      graphqlCost: { bucket: 500, refillPerSecond: 10 },
    });
    const listed = await app.request('GET', `/v1/platform/stores/${storeId}/api-keys`, {
      token: app.adminToken,
    });
    expect(listed.body.data[0]).toMatchObject({
      rateLimit: { bucket: 50, refillPerSecond: 5 },
      graphqlCost: { bucket: 500, refillPerSecond: 10 },
    });
    const query = await app.request('POST', '/graphql', {
      token: key,
      body: { query: COSTLY_QUERY },
    });
    expect(query.body.extensions.cost.throttleStatus).toMatchObject({
      maximumAvailable: 500,
      restoreRate: 10,
    });
    expect(rateLimitOf(query)?.limit).toBe(500);

    const reset = await patch({ rateLimit: null });
    expect(reset.body).toMatchObject({
      rateLimit: { bucket: 3, refillPerSecond: 1 },
      graphqlCost: { bucket: 500, refillPerSecond: 10 },
    });
    // The bucket keeps its level, cut down to the default's size.
    expect(rateLimitOf(await products(key))).toEqual({ limit: 3, remaining: 2, reset: 1 });

    const defaults = await patch({ graphqlCost: null });
    expect(defaults.body).toMatchObject({
      rateLimit: { bucket: 3, refillPerSecond: 1 },
      graphqlCost: { bucket: 150, refillPerSecond: 1 },
    });
    const rows = await app.running.dataSource.query(
      'SELECT 1 FROM platform.rate_limit_overrides WHERE credential_id = $1',
      [keyId],
    );
    expect(rows).toEqual([]);
  });

  it('refuses invalid limits and keys of another store', async () => {
    const { storeId, keyId } = await app.createStore(['read_products']);
    const other = await app.createStore(['read_products']);
    const patch = (path: string, body: unknown) =>
      app.request('PATCH', path, { token: app.adminToken, body });
    const own = `/v1/platform/stores/${storeId}/api-keys/${keyId}`;

    const invalid = await patch(own, {
      rateLimit: { bucket: 0, refillPerSecond: 1.5 },
      graphqlCost: 5,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'graphqlCost',
      'rateLimit.bucket',
      'rateLimit.refillPerSecond',
    ]);
    const tooLarge = await patch(own, { rateLimit: { bucket: 1_000_001, refillPerSecond: 1 } });
    expect(tooLarge.status).toBe(400);
    const foreign = await patch(`/v1/platform/stores/${other.storeId}/api-keys/${keyId}`, {
      rateLimit: { bucket: 10, refillPerSecond: 1 },
    });
    expect(foreign.status).toBe(404);
    const unknown = await patch(
      `/v1/platform/stores/${storeId}/api-keys/key_01jzzzzzzzzzzzzzzzzzzzzzzz`,
      { rateLimit: null },
    );
    expect(unknown.status).toBe(404);
    const byKey = await app.request('PATCH', own, {
      token: other.key,
      body: { rateLimit: null },
    });
    expect(byKey.status).toBe(403);
  });

  it("sends the cost bucket's RateLimit headers on GraphQL answers, apart from REST's", async () => {
    const { key } = await app.createStore([...SCOPES]);
    const first = await app.request('POST', '/graphql', {
      token: key,
      body: { query: COSTLY_QUERY },
    });
    expect(first.status).toBe(200);
    expect(rateLimitOf(first)).toEqual({ limit: 150, remaining: 49, reset: 101 });
    const second = await app.request('POST', '/graphql', {
      token: key,
      body: { query: COSTLY_QUERY },
    });
    expect(second.status).toBe(429);
    expect(second.body.errors[0].extensions.code).toBe('THROTTLED');
    expect(second.headers.get('retry-after')).toBe('52');
    expect(rateLimitOf(second)).toMatchObject({ limit: 150, remaining: 49 });
    expect(rateLimitOf(await products(key))).toEqual({ limit: 3, remaining: 2, reset: 1 });
  });
});

const reachable = redisReachable();
if (!reachable)
  console.warn(
    `SKIPPED: Redis does not answer at ${REDIS_URL} (CI starts it); the shared-bucket and Redis-recovery tests did not run`,
  );

(reachable ? describe : describe.skip)('REST rate limits across instances through Redis', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    const env = { ...SMALL_BUCKETS, REDIS_URL };
    first = await startTestApp({ env });
    second = await startTestApp({ env: { ...env, DATABASE_URL: first.databaseUrl } });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it("shares a credential's bucket between instances", async () => {
    const { key } = await first.createStore(['read_products']);
    const get = (app: TestApp) => app.request('GET', '/v1/products', { token: key });
    expect(rateLimitOf(await get(first))?.remaining).toBe(2);
    expect(rateLimitOf(await get(second))?.remaining).toBe(1);
    expect(rateLimitOf(await get(first))?.remaining).toBe(0);
    const refused = await get(second);
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
  });
});

describe('REST rate limits while Redis is unreachable', () => {
  let app: TestApp;

  beforeAll(async () => {
    const closed = await freePort();
    app = await startTestApp({
      env: { ...SMALL_BUCKETS, REDIS_URL: `redis://127.0.0.1:${closed}` },
    });
  });
  afterAll(() => app.close());

  it("keeps answering, with headers, and limits with the instance's own buckets", async () => {
    const { key } = await app.createStore(['read_products']);
    const started = Date.now();
    for (const remaining of [2, 1, 0]) {
      const response = await app.request('GET', '/v1/products', { token: key });
      expect(response.status).toBe(200);
      expect(rateLimitOf(response)?.remaining).toBe(remaining);
    }
    // Nothing waits on the dead Redis: no connect timeout, no retries.
    expect(Date.now() - started).toBeLessThan(900);
    const refused = await app.request('GET', '/v1/products', { token: key });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');

    const warnings = app.logLines.filter((line) =>
      String(line.msg).startsWith('redis does not answer: rate limits'),
    );
    expect(warnings).toHaveLength(1);
    const metrics = await app.request('GET', '/metrics');
    const fallbacks = /^rate_limit_redis_fallbacks_total (\d+)$/m.exec(metrics.text);
    expect(Number(fallbacks?.[1])).toBeGreaterThanOrEqual(4);
  });
});

(reachable ? describe : describe.skip)('REST rate limits when Redis comes back', () => {
  let app: TestApp;
  let relay: Relay;
  let redis: Redis;

  beforeAll(async () => {
    relay = new Relay(new URL(REDIS_URL), 6379);
    await relay.open();
    app = await startTestApp({ env: { ...SMALL_BUCKETS, REDIS_URL: relay.url(REDIS_URL) } });
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    redis?.disconnect();
    await app?.close();
    await relay?.cut().catch(() => undefined);
  });

  it('falls back to memory while Redis is cut off, and counts in Redis again once it answers', async () => {
    const { key, keyId, storeId } = await app.createStore(['read_products']);
    const bucket = `dukkadee:bucket:rest:${keyId}:${storeId}`;
    const get = () => app.request('GET', '/v1/products', { token: key });

    expect((await get()).status).toBe(200);
    expect(Number(await redis.hget(bucket, 'points'))).toBeCloseTo(2, 0);

    await relay.cut();
    await redis.del(bucket);
    const during = await get();
    expect(during.status).toBe(200);
    expect(rateLimitOf(during)?.remaining).toBe(2); // this instance's own, fresh bucket
    expect(await redis.exists(bucket)).toBe(0);

    await relay.open();
    const deadline = Date.now() + 10_000;
    let back = false;
    while (!back && Date.now() < deadline) {
      await sleep(200);
      await get();
      back = (await redis.exists(bucket)) === 1;
    }
    expect(back).toBe(true);
    expect(app.logLines.some((line) => String(line.msg).startsWith('redis answers again'))).toBe(
      true,
    );
  });
});
