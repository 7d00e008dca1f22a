import { SCOPES } from '../src/common/scopes';
import { RetentionService } from '../src/maintenance/retention.service';
import { registerApp, tokenRequest } from './support/oauth';
import { startTestApp, TestApp } from './support/test-app';

/** The daily retention pass deletes what has outlived its promise, and nothing else. */
describe('retention', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ env: { EVENT_RETENTION_DAYS: '60', WEBHOOK_DISPATCHER: 'off' } });
  });
  afterAll(() => app.close());

  it('deletes old events, expired idempotency keys and old finished deliveries, store by store', async () => {
    const stores = [await app.createStore([...SCOPES]), await app.createStore([...SCOPES])];
    const db = app.running.dataSource;
    for (const store of stores) {
      for (const key of ['old', 'fresh'])
        await app.request('POST', '/v1/customers', {
          token: store.key,
          body: { email: `${key}@example.com` },
          headers: { 'idempotency-key': key },
        });
      const schema = store.storeId;
      const events: { id: string }[] = await db.query(
        `SELECT id FROM ${schema}.events ORDER BY sequence`,
      );
      expect(events).toHaveLength(2);
      // The first event is past the 60 days; the second only past the contract's 30.
      await db.query(
        `UPDATE ${schema}.events SET created_at = now() - interval '61 days' WHERE id = $1`,
        [events[0].id],
      );
      await db.query(
        `UPDATE ${schema}.events SET created_at = now() - interval '45 days' WHERE id = $1`,
        [events[1].id],
      );
      await db.query(
        `UPDATE ${schema}.idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old'`,
      );
    }
    const subscription = await app.request('POST', '/v1/webhook-subscriptions', {
      token: stores[0].key,
      body: { url: 'http://127.0.0.1:9/hook', topics: ['customer.*'] },
    });
    const test = await app.request(
      'POST',
      `/v1/webhook-subscriptions/${subscription.body.id}/test`,
      {
        token: stores[0].key,
      },
    );
    const pending = await app.request(
      'POST',
      `/v1/webhook-subscriptions/${subscription.body.id}/test`,
      {
        token: stores[0].key,
      },
    );
    await db.query(
      "UPDATE platform.webhook_deliveries SET status = 'succeeded', updated_at = now() - interval '31 days' WHERE id = ANY($1)",
      [[test.body.id]],
    );
    await db.query(
      "UPDATE platform.webhook_deliveries SET updated_at = now() - interval '31 days' WHERE id = $1",
      [pending.body.id],
    );

    const report = await app.running.app.get(RetentionService).runOnce();

    expect(report).toMatchObject({ events: 2, idempotencyKeys: 2, webhookDeliveries: 1 });
    expect(report.stores).toBeGreaterThanOrEqual(2);
    for (const store of stores) {
      const [{ events }] = await db.query(
        `SELECT count(*)::int AS events FROM ${store.storeId}.events`,
      );
      const keys = await db.query(`SELECT key FROM ${store.storeId}.idempotency_keys`);
      expect({ events, keys: keys.map((row: { key: string }) => row.key) }).toEqual({
        events: 1,
        keys: ['fresh'],
      });
    }
    const deliveries = await db.query(
      'SELECT id FROM platform.webhook_deliveries WHERE subscription_id = $1',
      [subscription.body.id],
    );
    // The pending one stays whatever its age: it is still owed.
    expect(deliveries).toEqual([{ id: pending.body.id }]);
  });

  it('deletes OAuth tokens a day after they expire, and keeps the live ones', async () => {
    const store = await app.createStore(['read_products']);
    const single = await registerApp(app, {
      confidential: true,
      scopes: ['read_products'],
      storeId: store.storeId,
    });
    const credentials = { clientId: single.clientId, clientSecret: single.clientSecret! };
    const old = await tokenRequest(app.url, { grant_type: 'client_credentials' }, credentials);
    const live = await tokenRequest(app.url, { grant_type: 'client_credentials' }, credentials);
    const db = app.running.dataSource;
    await db.query(
      "UPDATE platform.oauth_tokens SET expires_at = now() - interval '2 days' WHERE token_hash = sha256($1::bytea)",
      [old.body.access_token],
    );

    const report = await app.running.app.get(RetentionService).runOnce();

    expect(report.expiredCredentials).toBeGreaterThanOrEqual(1);
    const left = await db.query(
      'SELECT count(*)::int AS n FROM platform.oauth_tokens WHERE app_id = $1',
      [single.id],
    );
    expect(left).toEqual([{ n: 1 }]);
    const products = await app.request('GET', '/v1/products', {
      token: String(live.body.access_token),
    });
    expect(products.status).toBe(200);
  });
});
