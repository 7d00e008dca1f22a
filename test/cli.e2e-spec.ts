import { eventually } from './support/eventually';
import pino from 'pino';
import { runCli } from '../src/cli/commands';
import { loadConfig } from '../src/config/config';
import { startTestApp, TestApp } from './support/test-app';

describe('platform administration CLI', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const config = loadConfig({
      DATABASE_URL: app.databaseUrl,
      PLATFORM_ADMIN_TOKEN: app.adminToken,
      DATA_DIR: app.running.config.dataDir,
    });
    const code = await runCli(argv, config, pino({ level: 'silent' }), {
      out: (text) => void (out += text),
      err: (text) => void (err += text),
    });
    return { code, out, err };
  }

  it('registers an app whose client_credentials token the API accepts, then deletes it', async () => {
    const { storeId } = await app.createStore(['read_products']);
    const created = await cli(
      'apps',
      'create',
      '--name',
      'CLI app',
      '--redirect-uris',
      'https://cli.example/callback',
      '--scopes',
      'read_products',
      '--store',
      storeId,
    );
    expect(created.code).toBe(0);
    const registered = JSON.parse(created.out);
    expect(registered).toMatchObject({ confidential: true, storeId, scopes: ['read_products'] });
    expect(registered.clientSecret).toMatch(/^dk_cs_/);
    const token = await fetch(`${app.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: registered.clientId,
        client_secret: registered.clientSecret,
      }).toString(),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    expect((await app.request('GET', '/v1/products', { token: access_token })).status).toBe(200);
    const listed = JSON.parse((await cli('apps', 'list')).out);
    expect(listed.data.map((a: { id: string }) => a.id)).toContain(registered.id);
    expect(JSON.stringify(listed)).not.toContain(registered.clientSecret);
    const refused = await cli(
      'apps',
      'create',
      '--name',
      'x',
      '--redirect-uris',
      'http://x.example/cb',
      '--scopes',
      'read_products',
    );
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('validation_failed');
    expect((await cli('apps', 'delete', registered.id)).code).toBe(0);
    // Deleted by another process: a cached read refuses the token within the contract's 1 s.
    expect(
      await eventually(
        async () =>
          (await app.request('GET', '/v1/products', { token: access_token })).status === 401,
      ),
    ).toBe(true);
  });

  it('creates a store and a key that the API accepts, then revokes it', async () => {
    const store = await cli(
      'stores',
      'create',
      '--name',
      'CLI Shop',
      '--handle',
      'cli-shop',
      '--currency',
      'GBP',
      '--hosting',
      'self_hosted',
      '--domain',
      'cli.example',
    );
    expect(store.code).toBe(0);
    const created = JSON.parse(store.out);
    expect(created).toMatchObject({
      handle: 'cli-shop',
      currency: 'GBP',
      hosting: 'self_hosted',
      domains: ['cli.example'],
    });

    const key = await cli(
      'api-keys',
      'create',
      created.id,
      '--name',
      'ci',
      '--scopes',
      'read_products,read_orders',
    );
    expect(key.code).toBe(0);
    const { key: secret, id: keyId, scopes } = JSON.parse(key.out);
    expect(scopes).toEqual(['read_products', 'read_orders']);
    expect((await app.request('GET', '/v1/products', { token: secret })).status).toBe(200);

    const listed = JSON.parse((await cli('api-keys', 'list', created.id)).out);
    expect(listed.data.map((k: { id: string }) => k.id)).toEqual([keyId]);
    expect(JSON.stringify(listed)).not.toContain(secret);

    expect((await cli('api-keys', 'revoke', created.id, keyId)).code).toBe(0);
    // Revoked by another process: at once for a transaction, within 1 s for a cached read.
    expect((await app.request('GET', '/v1/orders', { token: secret })).status).toBe(401);
    expect(
      await eventually(
        async () => (await app.request('GET', '/v1/products', { token: secret })).status === 401,
      ),
    ).toBe(true);

    const staff = await cli(
      'staff',
      'create',
      created.id,
      '--email',
      'ops@cli.example',
      '--password',
      'a sufficiently long secret',
      '--role',
      'owner',
    );
    expect(staff.code).toBe(0);
    expect(JSON.parse(staff.out)).toMatchObject({ email: 'ops@cli.example', role: 'owner' });

    const fetched = await cli('stores', 'get', created.id);
    expect(JSON.parse(fetched.out)).toEqual(created);
    const all = JSON.parse((await cli('stores', 'list')).out);
    expect(all.data.map((s: { id: string }) => s.id)).toContain(created.id);
  });

  it('reports every invalid option with the API rules and exits 1', async () => {
    const result = await cli(
      'stores',
      'create',
      '--name',
      'X',
      '--handle',
      'Not Valid',
      '--currency',
      'EURO',
      '--hosting',
      'cloud',
    );
    expect(result.code).toBe(1);
    expect(result.err).toContain('validation_failed');
    for (const field of ['handle', 'currency', 'hosting'])
      expect(result.err).toContain(`${field}:`);
    const unknownStore = await cli(
      'api-keys',
      'create',
      'store_01jzzzzzzzzzzzzzzzzzzzzzzz',
      '--name',
      'x',
      '--scopes',
      'read_products',
    );
    expect(unknownStore.code).toBe(1);
    expect(unknownStore.err).toContain('not_found');
  });

  it('lists its commands with --help', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    for (const command of ['stores', 'api-keys', 'staff', 'migrate'])
      expect(help.out).toContain(command);
  });

  it('migrates with the migrate command', async () => {
    const result = await cli('migrate');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({
      migrated: true,
      stores: { migrated: 0, total: 0, failed: [] },
    });
    expect((await cli('migrate', '--concurrency', '0')).code).not.toBe(0);
  });
});
