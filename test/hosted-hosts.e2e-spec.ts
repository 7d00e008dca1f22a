import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { runCli } from '../src/cli/commands';
import { loadConfig } from '../src/config/config';
import { RedisStoreHostChanges } from '../src/platform/store-host-changes';
import { createHostedStore, HostedStoreFixture, PageClient } from './support/hosted';
import { startTestApp, TestApp } from './support/test-app';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function isHtml(answer: { headers: Record<string, unknown> }): boolean {
  return String(answer.headers['content-type']).startsWith('text/html');
}

describe('which store a hosted page serves, by Host', () => {
  let app: TestApp;
  let store: HostedStoreFixture;
  let other: HostedStoreFixture;
  beforeAll(async () => {
    app = await startTestApp();
    store = await createHostedStore(app);
    other = await createHostedStore(app);
  });
  afterAll(() => app.close());

  const page = (host: string) => new PageClient(app, host).get('/admin/sign-in');
  const patch = (storeId: string, body: unknown) =>
    app.request('PATCH', `/v1/platform/stores/${storeId}`, { token: app.adminToken, body });

  it('serves <handle>.localhost and answers an unknown host with an HTML 404', async () => {
    const known = await page(store.host);
    expect(known.status).toBe(200);
    expect(isHtml(known)).toBe(true);
    const unknown = await page('nobody-here.localhost:3000');
    expect(unknown.status).toBe(404);
    expect(isHtml(unknown)).toBe(true);
  });

  it('answers an address no page has with the HTML 404, under the store when the host names one', async () => {
    const { name } = (
      await app.request('GET', `/v1/platform/stores/${store.storeId}`, { token: app.adminToken })
    ).body;
    for (const path of ['/nope', '/products/a/b/c', '/admin/nowhere?x=1', '/favicon.ico']) {
      const onStore = await new PageClient(app, store.host).get(path);
      expect({ path, status: onStore.status, html: isHtml(onStore) }).toEqual({
        path,
        status: 404,
        html: true,
      });
      expect(onStore.html).toContain(`<title>Page not found · ${name}</title>`);
      expect(onStore.html).toContain('href="/"');
      const nowhere = await new PageClient(app, 'nobody-here.localhost:3000').post(path, {});
      expect({ path, status: nowhere.status, html: isHtml(nowhere) }).toEqual({
        path,
        status: 404,
        html: true,
      });
      expect(nowhere.html).toContain('There is no store at this address.');
    }
    // The API's own unknown paths stay problems, on any host.
    for (const path of ['/v1/nope', '/oauth/nope', '/health/nope', '/graphql/nope']) {
      const api = await new PageClient(app, store.host).get(path);
      expect({ path, status: api.status, type: api.headers['content-type'] }).toEqual({
        path,
        status: 404,
        type: 'application/problem+json; charset=utf-8',
      });
    }
  });

  it('serves a custom domain from the moment PATCH adds it, and stops when it is removed', async () => {
    const domain = `shop-${randomBytes(4).toString('hex')}.example.com`;
    // Asked first, so the cache holds "no store" for it: the change must make it forget.
    expect((await page(domain)).status).toBe(404);

    const added = await patch(store.storeId, { domains: [domain.toUpperCase()] });
    expect(added.status).toBe(200);
    expect(added.body.domains).toEqual([domain]);
    const served = await page(`${domain}:8080`);
    expect(served.status).toBe(200);
    expect(isHtml(served)).toBe(true);

    const removed = await patch(store.storeId, { domains: [] });
    expect(removed.status).toBe(200);
    expect(removed.body.domains).toEqual([]);
    const gone = await page(domain);
    expect(gone.status).toBe(404);
    expect(isHtml(gone)).toBe(true);
    expect((await page(store.host)).status).toBe(200);
  });

  it('validates PATCH: a bad domain is a validation error, another store’s domain is refused', async () => {
    const bad = await patch(store.storeId, { domains: ['not a domain'] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');

    const domain = `taken-${randomBytes(4).toString('hex')}.example.com`;
    expect((await patch(other.storeId, { domains: [domain] })).status).toBe(200);
    const taken = await patch(store.storeId, { domains: ['free.example.org', domain] });
    const created = await app.request('POST', '/v1/platform/stores', {
      token: app.adminToken,
      body: {
        name: 'Clash',
        handle: `clash-${randomBytes(4).toString('hex')}`,
        currency: 'USD',
        hosting: 'hosted',
        domains: [domain],
      },
    });
    expect(taken.status).toBe(created.status);
    expect(taken.body.code).toBe(created.body.code);
    expect(taken.body.code).toBe('already_exists');
    expect(taken.body.errors).toEqual([
      expect.objectContaining({ path: 'domains.1', code: 'already_exists' }),
    ]);
    // Refused as a whole: the store keeps what it had.
    const after = await app.request('GET', `/v1/platform/stores/${store.storeId}`, {
      token: app.adminToken,
    });
    expect(after.body.domains).toEqual([]);
    // A store may keep its own domain when it sends the list again.
    expect((await patch(other.storeId, { domains: [domain, 'more.example.net'] })).status).toBe(
      200,
    );

    expect((await patch('store_doesnotexist', { domains: [] })).status).toBe(404);
    expect((await patch(store.storeId, { domains: 'x.example.com' })).status).toBe(400);
  });

  it('answers the API and health on any host', async () => {
    const client = new PageClient(app, 'nobody-here.localhost:3000');
    const health = await client.get('/health/live');
    expect(health.status).toBe(200);
    const api = await client.get('/v1/products', { authorization: `Bearer ${store.key}` });
    expect(api.status).toBe(200);
    expect(String(api.headers['content-type'])).toContain('json');
  });

  it('sets the domains from the CLI', async () => {
    const domain = `cli-${randomBytes(4).toString('hex')}.example.com`;
    const config = loadConfig({
      DATABASE_URL: app.databaseUrl,
      PLATFORM_ADMIN_TOKEN: app.adminToken,
      DATA_DIR: app.running.config.dataDir,
    });
    let out = '';
    const code = await runCli(
      ['stores', 'set-domains', store.storeId, domain, 'Www.' + domain],
      config,
      pino({ level: 'silent' }),
      { out: (text) => void (out += text), err: () => undefined },
    );
    expect(code).toBe(0);
    expect(JSON.parse(out).domains).toEqual([domain, `www.${domain}`]);
    let err = '';
    const refused = await runCli(
      ['stores', 'set-domains', store.storeId, 'not_a_domain'],
      config,
      pino({ level: 'silent' }),
      { out: () => undefined, err: (text) => void (err += text) },
    );
    expect(refused).toBe(1);
    expect(err).toContain('validation_failed');
    // Another process changed it: this instance's cache forgets within its TTL at the latest.
    const client = new PageClient(app, domain);
    const deadline = Date.now() + 7_000;
    let status = (await client.get('/admin/sign-in')).status;
    while (status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await client.get('/admin/sign-in')).status;
    }
    expect(status).toBe(200);
  });
});

describe('an app holding exactly one store', () => {
  it('serves it on any host (booted with Redis, as a fleet instance is)', async () => {
    const app = await startTestApp({ env: { REDIS_URL } });
    try {
      await createHostedStore(app);
      const answer = await new PageClient(app, 'localhost:3000').get('/admin/sign-in');
      expect(answer.status).toBe(200);
      expect(isHtml(answer)).toBe(true);
    } finally {
      await app.close();
    }
  });
});

describe('host changes across instances (Redis)', () => {
  it('makes every other instance forget when one announces a change', async () => {
    const logger = pino({ level: 'silent' });
    const here = new RedisStoreHostChanges(REDIS_URL, logger);
    const there = new RedisStoreHostChanges(REDIS_URL, logger);
    try {
      let heardHere = 0;
      let heardThere = 0;
      here.listen(() => void (heardHere += 1));
      there.listen(() => void (heardThere += 1));
      // Subscriptions are confirmed asynchronously; announce until the other side hears.
      const deadline = Date.now() + 5_000;
      while (heardThere === 0 && Date.now() < deadline) {
        here.announce();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(heardThere).toBeGreaterThan(0);
      // The announcing instance forgets in-process, once per announcement, not again over Redis.
      expect(heardHere).toBeGreaterThan(0);
      const before = heardHere;
      here.announce();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(heardHere).toBe(before + 1);
    } finally {
      await here.onModuleDestroy();
      await there.onModuleDestroy();
    }
  });
});
