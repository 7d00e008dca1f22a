import { Client } from 'pg';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { ProductsService } from '../src/catalog/products.service';
import { RequestContext } from '../src/common/request-context';
import { MigrationRunner } from '../src/database/migration-runner';
import { TransactionalConnection } from '../src/database/transactional-connection';
import { platformMigrations, storeMigrations } from '../migrations';
import { expectInterleavedStoresIsolated } from './support/isolation';
import { seedProduct } from './support/seed';
import { startTestApp, TestApp } from './support/test-app';

describe('one schema per store', () => {
  let app: TestApp;
  let db: Client;
  beforeAll(async () => {
    app = await startTestApp({ env: { DATABASE_POOL_SIZE: '2' } });
    db = new Client({ connectionString: app.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await app.close();
  });

  it("never shows one store's products to another store's key, by list or by id", async () => {
    const a = await app.createStore(['read_products']);
    const b = await app.createStore(['read_products']);
    const productOfA = await seedProduct(app, a.storeId, { title: 'Only in A' });
    await seedProduct(app, b.storeId, { title: 'Only in B' });

    const listA = await app.request('GET', '/v1/products', { token: a.key });
    const listB = await app.request('GET', '/v1/products', { token: b.key });
    expect(listA.body.data.map((p: { title: string }) => p.title)).toEqual(['Only in A']);
    expect(listB.body.data.map((p: { title: string }) => p.title)).toEqual(['Only in B']);

    const crossStore = await app.request('GET', `/v1/products/${productOfA.id}`, { token: b.key });
    expect(crossStore.status).toBe(404);
    expect(crossStore.body.code).toBe('not_found');
    expect(
      (await app.request('GET', `/v1/products/${productOfA.id}`, { token: a.key })).status,
    ).toBe(200);
  });

  it('keeps interleaved transactions of two stores apart on a pool of two connections', async () => {
    await expectInterleavedStoresIsolated(app, 40);
  });

  it('leaves no search_path on pooled connections after a request', async () => {
    const { key } = await app.createStore(['read_products']);
    await app.request('GET', '/v1/products', { token: key });
    const paths = await Promise.all(
      [0, 1].map(() =>
        app.running.dataSource.query("SELECT current_setting('search_path') AS path"),
      ),
    );
    for (const [row] of paths) expect(row.path).not.toMatch(/store_/);
  });

  it("selects the store's schema and the timeouts in the transaction's first statement, from the credential's store", async () => {
    const { key, storeId, keyId } = await app.createStore(['read_orders']);
    await app.request('GET', '/v1/orders', { token: key }); // resolves and caches the key
    app.sql.statements.length = 0;
    await app.request('GET', '/v1/orders', { token: key });
    const [first, ...rest] = app.sql.statements.filter((sql) => !sql.includes('last_used_at'));
    expect(first).toBe(
      `BEGIN READ ONLY; SELECT set_config('search_path', '${storeId}', true), ` +
        `set_config('statement_timeout', '5000', true), set_config('lock_timeout', '2000', true), ` +
        `platform.api_key_active('${keyId}') AS active`,
    );
    expect(rest.at(-1)).toBe('COMMIT');
    expect(rest.slice(0, -1).every((sql) => sql.startsWith('SELECT'))).toBe(true);
  });

  it('reads a product by id in one round trip, with the same schema, limits and credential check, read-only and leaving nothing behind', async () => {
    const { key, storeId, keyId } = await app.createStore(['read_products']);
    const product = await seedProduct(app, storeId, { title: 'One trip' });
    await app.request('GET', '/v1/orders', { token: key }); // resolves and caches the key
    app.sql.statements.length = 0;
    const read = await app.request('GET', `/v1/products/${product.id}`, { token: key });
    expect(read.body.title).toBe('One trip');
    const statements = app.sql.statements.filter((sql) => !sql.includes('last_used_at'));
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(
      new RegExp(
        `^SELECT set_config\\('search_path', '${storeId}', true\\), ` +
          `set_config\\('statement_timeout', '5000', true\\), set_config\\('lock_timeout', '2000', true\\), ` +
          `set_config\\('transaction_read_only', 'on', true\\), platform.api_key_active\\('${keyId}'\\) AS active; ` +
          `SELECT .* FROM products WHERE id = '${product.id}'$`,
        's',
      ),
    );
    const paths = await Promise.all(
      [0, 1].map(() =>
        app.running.dataSource.query("SELECT current_setting('search_path') AS path"),
      ),
    );
    for (const [row] of paths) expect(row.path).not.toMatch(/store_/);

    const connection = app.running.app.get(TransactionalConnection);
    const ctx = new RequestContext('req_test', storeId, { type: 'api_key', id: keyId }, [
      'read_products',
    ]);
    await expect(
      connection.readOnce(ctx, "UPDATE products SET title = 'Changed' WHERE id = $1", [product.id]),
    ).rejects.toThrow(/read-only transaction/);
    await expect(
      connection.readOnce(ctx, 'SELECT id FROM products WHERE id = $1', ["x' OR '1'='1"]),
    ).rejects.toThrow(/must be ids/);
    expect(
      (await app.request('GET', `/v1/products/${product.id}`, { token: key })).body.title,
    ).toBe('One trip');
    // A revoked key is refused by the same round trip.
    await app.request('DELETE', `/v1/platform/stores/${storeId}/api-keys/${keyId}`, {
      token: app.adminToken,
    });
    await expect(connection.readOnce(ctx, 'SELECT 1', [])).rejects.toMatchObject({
      code: 'unauthenticated',
    });
  });

  it('never falls through to public or another schema when a table is missing', async () => {
    const { storeId, key } = await app.createStore(['read_products']);
    const other = await app.createStore(['read_products']);
    await seedProduct(app, other.storeId, { title: 'Decoy in another store' });
    await db.query(
      'CREATE TABLE public.products (LIKE "' + other.storeId + '".products INCLUDING ALL)',
    );
    await db.query('INSERT INTO public.products SELECT * FROM "' + other.storeId + '".products');
    await db.query(`ALTER TABLE "${storeId}".variants RENAME TO variants_moved`);
    await db.query(`ALTER TABLE "${storeId}".products RENAME TO products_moved`);
    try {
      const response = await app.request('GET', '/v1/products', { token: key });
      expect(response.status).toBe(500);
      expect(response.text).not.toContain('Decoy');
      expect(response.body).toEqual({
        type: expect.any(String),
        title: 'Internal Server Error',
        status: 500,
        detail: expect.not.stringMatching(/relation|products|sql/i),
        code: 'internal_error',
        requestId: response.headers.get('x-request-id'),
      });
    } finally {
      await db.query(`ALTER TABLE "${storeId}".products_moved RENAME TO products`);
      await db.query(`ALTER TABLE "${storeId}".variants_moved RENAME TO variants`);
      await db.query('DROP TABLE public.products');
    }
  });

  it('refuses a context whose store id is not a store id before any query', async () => {
    const products = app.running.app.get(ProductsService);
    const forged = RequestContext.system('public', 'forged', ['read_products']);
    await expect(products.list(forged, { limit: 10 })).rejects.toThrow(/Not a store id/);
    const injected = RequestContext.system('store_x"; DROP SCHEMA platform; --', 'forged', [
      'read_products',
    ]);
    await expect(products.list(injected, { limit: 10 })).rejects.toThrow(/Not a store id/);
  });

  it('reaches no store data from a platform context', async () => {
    const products = app.running.app.get(ProductsService);
    await expect(
      products.list(RequestContext.system(null, 'platform'), { limit: 10 }),
    ).rejects.toThrow(/relation "products" does not exist/);
  });
});

describe('store migrations across all stores', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('applies a new store migration to every store, resuming after a failure, with progress', async () => {
    const stores = [];
    for (let i = 0; i < 5; i++) stores.push(await app.createStore(['read_products']));
    const failFor = stores[2].storeId;
    let failuresLeft = 3;
    class AddNotes1800000000000 implements MigrationInterface {
      name = 'AddNotes1800000000000';
      async up(runner: QueryRunner): Promise<void> {
        await runner.query('CREATE TABLE notes (id text PRIMARY KEY)');
        const [{ schema }] = await runner.query('SELECT current_schema() AS schema');
        if (schema === failFor && failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error('disk full');
        }
      }
      async down(): Promise<void> {}
    }
    const runner = new MigrationRunner(app.running.dataSource, platformMigrations, [
      ...storeMigrations,
      AddNotes1800000000000,
    ]);
    // The failing store is set aside, the others carry on, and it is tried three times in all.
    const progress: string[] = [];
    const first = await runner.migrateAllStores({
      concurrency: 2,
      onProgress: (p) => progress.push(`${p.done}+${p.failed}/${p.total}`),
    });
    expect(first).toEqual({
      migrated: 4,
      total: 5,
      failed: [{ storeId: failFor, attempts: 3, error: 'disk full' }],
    });
    expect(progress).toHaveLength(5);
    expect(progress.at(-1)).toBe('4+1/5');

    // The next run tries it again: it fails once more, then passes on its second try.
    failuresLeft = 1;
    const resumed: string[] = [];
    expect(
      await runner.migrateAllStores({
        onProgress: (p) => resumed.push(`${p.done}+${p.failed}/${p.total}`),
      }),
    ).toEqual({ migrated: 1, total: 1, failed: [] });
    expect(resumed).toEqual(['0+1/1', '1+0/1']);
    expect((await runner.migrateAllStores()).migrated).toBe(0);

    const tables = await app.running.dataSource.query(
      "SELECT table_schema FROM information_schema.tables WHERE table_name = 'notes' ORDER BY 1",
    );
    expect(tables.map((row: { table_schema: string }) => row.table_schema)).toEqual(
      stores.map((s) => s.storeId).sort(),
    );
    const versions = await app.running.dataSource.query(
      'SELECT DISTINCT schema_version FROM platform.stores',
    );
    expect(versions).toEqual([{ schema_version: storeMigrations.length + 1 }]);
  });

  it('lets two runners upgrade concurrently without applying anything twice', async () => {
    for (let i = 0; i < 6; i++) await app.createStore(['read_products']);
    class AddTags1900000000000 implements MigrationInterface {
      name = 'AddTags1900000000000';
      async up(runner: QueryRunner): Promise<void> {
        await runner.query('CREATE TABLE extra_tags (id text PRIMARY KEY)');
      }
      async down(): Promise<void> {}
    }
    const list = [
      ...storeMigrations,
      class AddNotes1800000000000 implements MigrationInterface {
        name = 'AddNotes1800000000000';
        async up(runner: QueryRunner): Promise<void> {
          await runner.query('CREATE TABLE IF NOT EXISTS notes (id text PRIMARY KEY)');
        }
        async down(): Promise<void> {}
      },
      AddTags1900000000000,
    ];
    const one = new MigrationRunner(app.running.dataSource, platformMigrations, list);
    const two = new MigrationRunner(app.running.dataSource, platformMigrations, list);
    const [a, b] = await Promise.all([one.migrateAllStores(), two.migrateAllStores()]);
    const [{ count }] = await app.running.dataSource.query(
      'SELECT count(*)::int AS count FROM platform.stores',
    );
    expect(a.migrated + b.migrated).toBe(count);
  });
});
