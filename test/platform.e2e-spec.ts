import { eventually } from './support/eventually';
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { SCOPES } from '../src/common/scopes';
import { startTestApp, TestApp } from './support/test-app';

describe('platform administration', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  const admin = () => ({ token: app.adminToken });

  it('creates a store with its own migrated schema', async () => {
    const created = await app.request('POST', '/v1/platform/stores', {
      ...admin(),
      body: {
        name: 'Acme',
        handle: 'acme',
        currency: 'EUR',
        hosting: 'self_hosted',
        domains: ['Shop.Acme.example', 'acme.example'],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^store_[0-9a-z]{26}$/),
      name: 'Acme',
      handle: 'acme',
      currency: 'EUR',
      hosting: 'self_hosted',
      status: 'active',
      domains: ['shop.acme.example', 'acme.example'],
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    const db = new Client({ connectionString: app.databaseUrl });
    await db.connect();
    try {
      const tables = await db.query(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
        [created.body.id],
      );
      expect(tables.rows.map((row) => row.table_name)).toEqual([
        'counters',
        'customers',
        'events',
        'idempotency_keys',
        'inventory_adjustments',
        'line_items',
        'orders',
        'products',
        'schema_migrations',
        'sync_batches',
        'sync_conflicts',
        'sync_links',
        'sync_policies',
        'variants',
      ]);
      const publicTables = await db.query(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'",
      );
      expect(publicTables.rows[0].n).toBe(0);
    } finally {
      await db.end();
    }
    const fetched = await app.request('GET', `/v1/platform/stores/${created.body.id}`, admin());
    expect(fetched.body).toEqual(created.body);
  });

  it('refuses a taken handle or domain with 409 and every invalid field with 400', async () => {
    await app.request('POST', '/v1/platform/stores', {
      ...admin(),
      body: {
        name: 'One',
        handle: 'taken',
        currency: 'USD',
        hosting: 'hosted',
        domains: ['one.example'],
      },
    });
    const duplicate = await app.request('POST', '/v1/platform/stores', {
      ...admin(),
      body: {
        name: 'Two',
        handle: 'taken',
        currency: 'USD',
        hosting: 'hosted',
        domains: ['one.example'],
      },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe('already_exists');
    expect(duplicate.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'handle',
      'domains.0',
    ]);
    const invalid = await app.request('POST', '/v1/platform/stores', {
      ...admin(),
      body: { name: '', handle: 'Bad Handle', currency: 'XXZ', hosting: 'cloud', colour: 'red' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('validation_failed');
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'colour',
      'currency',
      'handle',
      'hosting',
      'name',
    ]);
  });

  it('creates stores concurrently with one handle exactly once', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 8 }, () =>
        app.request('POST', '/v1/platform/stores', {
          ...admin(),
          body: { name: 'Race', handle: 'race', currency: 'EUR', hosting: 'hosted' },
        }),
      ),
    );
    expect(attempts.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
  });

  it('lists stores with keyset pagination and a Link header', async () => {
    const first = await app.request('GET', '/v1/platform/stores?limit=2', admin());
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.headers.get('link')).toContain(`cursor=${first.body.nextCursor}`);
    const seen = [...first.body.data];
    let cursor = first.body.nextCursor;
    while (cursor) {
      const page = await app.request(
        'GET',
        `/v1/platform/stores?limit=2&cursor=${cursor}`,
        admin(),
      );
      seen.push(...page.body.data);
      cursor = page.body.nextCursor;
    }
    const all = await app.request('GET', '/v1/platform/stores?limit=250', admin());
    expect(seen.map((s) => s.id)).toEqual(all.body.data.map((s: { id: string }) => s.id));
    expect(all.headers.get('link')).toBeNull();
    expect((await app.request('GET', '/v1/platform/stores?limit=251', admin())).status).toBe(400);
    expect(
      (await app.request('GET', '/v1/platform/stores?cursor=garbage', admin())).body.errors[0].path,
    ).toBe('cursor');
  });

  it('answers 404 for unknown stores', async () => {
    for (const id of ['store_01jzzzzzzzzzzzzzzzzzzzzzzz', 'nope', "store_'; drop table x"]) {
      const response = await app.request(
        'GET',
        `/v1/platform/stores/${encodeURIComponent(id)}`,
        admin(),
      );
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('not_found');
    }
  });

  it('requires the platform admin token, and refuses store keys', async () => {
    const { key } = await app.createStore([...SCOPES]);
    const withoutToken = await app.request('GET', '/v1/platform/stores');
    expect(withoutToken.status).toBe(401);
    const withStoreKey = await app.request('GET', '/v1/platform/stores', { token: key });
    expect(withStoreKey.status).toBe(403);
    expect(withStoreKey.body.code).toBe('insufficient_scope');
    const wrongAdmin = await app.request('GET', '/v1/platform/stores', {
      token: `${app.adminToken}x`,
    });
    expect(wrongAdmin.status).toBe(401);
  });

  it('issues API keys shown once and stores only their SHA-256 hash', async () => {
    const { storeId } = await app.createStore(['read_products']);
    const created = await app.request('POST', `/v1/platform/stores/${storeId}/api-keys`, {
      ...admin(),
      body: { name: 'Reporting', scopes: ['read_products', 'read_orders'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^key_/),
      name: 'Reporting',
      scopes: ['read_products', 'read_orders'],
      key: expect.stringMatching(/^dk_live_/),
    });
    expect(created.body.key.startsWith(created.body.prefix)).toBe(true);
    const listed = await app.request('GET', `/v1/platform/stores/${storeId}/api-keys`, admin());
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    const db = new Client({ connectionString: app.databaseUrl });
    await db.connect();
    try {
      const row = await db.query(
        "SELECT encode(secret_hash, 'hex') AS hash, row_to_json(k)::text AS everything FROM platform.api_keys k WHERE id = $1",
        [created.body.id],
      );
      expect(row.rows[0].hash).toBe(createHash('sha256').update(created.body.key).digest('hex'));
      expect(row.rows[0].everything).not.toContain(created.body.key.slice(12));
    } finally {
      await db.end();
    }
    const badScopes = await app.request('POST', `/v1/platform/stores/${storeId}/api-keys`, {
      ...admin(),
      body: { name: 'x', scopes: ['read_products', 'root'] },
    });
    expect(badScopes.status).toBe(400);
    expect(badScopes.body.errors[0].path).toBe('scopes');
    const noScopes = await app.request('POST', `/v1/platform/stores/${storeId}/api-keys`, {
      ...admin(),
      body: { name: 'x', scopes: [] },
    });
    expect(noScopes.status).toBe(400);
  });

  it('revokes a key with effect on the very next request', async () => {
    const { storeId, key, keyId } = await app.createStore(['read_products']);
    expect((await app.request('GET', '/v1/products', { token: key })).status).toBe(200);
    const revoked = await app.request(
      'DELETE',
      `/v1/platform/stores/${storeId}/api-keys/${keyId}`,
      admin(),
    );
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe('');
    const after = await app.request('GET', '/v1/products', { token: key });
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('Bearer');
    const listed = await app.request('GET', `/v1/platform/stores/${storeId}/api-keys`, admin());
    expect(listed.body.data[0].revokedAt).not.toBeNull();
    expect(
      (
        await app.request(
          'DELETE',
          `/v1/platform/stores/${storeId}/api-keys/key_01jzzzzzzzzzzzzzzzzzzzzzzz`,
          admin(),
        )
      ).status,
    ).toBe(404);
  });

  it('looks a key up once, yet re-checks it inside every store transaction', async () => {
    const { key, keyId } = await app.createStore(['read_products', 'read_orders']);
    expect((await app.request('GET', '/v1/orders', { token: key })).status).toBe(200);
    expect((await app.request('GET', '/v1/products', { token: key })).status).toBe(200);
    app.sql.statements.length = 0;
    expect((await app.request('GET', '/v1/orders', { token: key })).status).toBe(200);
    expect(app.sql.statements.filter((s) => s.includes('secret_hash'))).toEqual([]);
    expect(app.sql.statements.filter((s) => s.includes('platform.api_key_active('))).toHaveLength(
      1,
    );

    // Revoked behind the API's back (another instance, or SQL): refused at once by a request
    // that opens a transaction, and within 1 s by a read the response cache answers.
    await app.running.dataSource.query(
      'UPDATE platform.api_keys SET revoked_at = now() WHERE id = $1',
      [keyId],
    );
    const refused = await app.request('GET', '/v1/orders', { token: key });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('unauthenticated');
    expect(
      await eventually(
        async () => (await app.request('GET', '/v1/products', { token: key })).status === 401,
      ),
    ).toBe(true);
  });

  it("stops a store's keys at once when the store is suspended", async () => {
    const { key, storeId } = await app.createStore(['read_products', 'read_orders']);
    expect((await app.request('GET', '/v1/products', { token: key })).status).toBe(200);
    await app.running.dataSource.query(
      "UPDATE platform.stores SET status = 'suspended' WHERE id = $1",
      [storeId],
    );
    expect((await app.request('GET', '/v1/orders', { token: key })).status).toBe(401);
    // The cached product read, within the 1 s the contract gives another process's change.
    expect(
      await eventually(
        async () => (await app.request('GET', '/v1/products', { token: key })).status === 401,
      ),
    ).toBe(true);
  });

  it("does not revoke a key through another store's path", async () => {
    const a = await app.createStore(['read_products']);
    const b = await app.createStore(['read_products']);
    const crossed = await app.request(
      'DELETE',
      `/v1/platform/stores/${b.storeId}/api-keys/${a.keyId}`,
      admin(),
    );
    expect(crossed.status).toBe(404);
    expect((await app.request('GET', '/v1/products', { token: a.key })).status).toBe(200);
  });

  it('creates staff accounts with scrypt-hashed passwords and unique emails per store', async () => {
    const { storeId } = await app.createStore(['read_products']);
    const created = await app.request('POST', `/v1/platform/stores/${storeId}/staff`, {
      ...admin(),
      body: { email: 'Owner@Example.com', password: 'a long enough password', role: 'owner' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^staff_/),
      storeId,
      email: 'owner@example.com',
      role: 'owner',
      createdAt: expect.any(String),
    });
    const again = await app.request('POST', `/v1/platform/stores/${storeId}/staff`, {
      ...admin(),
      body: { email: 'owner@example.com', password: 'another long password', role: 'staff' },
    });
    expect(again.status).toBe(409);
    const weak = await app.request('POST', `/v1/platform/stores/${storeId}/staff`, {
      ...admin(),
      body: { email: 'not-an-email', password: 'short', role: 'god' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'email',
      'password',
      'role',
    ]);
    const db = new Client({ connectionString: app.databaseUrl });
    await db.connect();
    try {
      const row = await db.query('SELECT password_hash FROM platform.staff WHERE id = $1', [
        created.body.id,
      ]);
      expect(row.rows[0].password_hash).toMatch(/^scrypt\$/);
      expect(row.rows[0].password_hash).not.toContain('a long enough password');
    } finally {
      await db.end();
    }
  });
});
