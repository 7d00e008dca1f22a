import {
  approve,
  authorizePath,
  Browser,
  registerApp,
  REDIRECT_URI,
  tokenRequest,
} from './support/oauth';
import {
  createHostedStore,
  csrfTokenOf,
  HostedStoreFixture,
  PageClient,
  signedIn,
} from './support/hosted';
import { startTestApp, TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

/** The text of a page without its tags, to read what it shows. */
function textOf(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

/** Polls the page until `predicate` holds over its HTML (a delivery is attempted in the background). */
async function pageWhen(
  client: PageClient,
  path: string,
  predicate: (html: string) => boolean,
): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const page = await client.get(path);
    if (predicate(page.html)) return page.html;
    if (Date.now() > deadline) throw new Error(`${path} never matched: ${textOf(page.html)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('hosted admin: developer settings', () => {
  let app: TestApp;
  let store: HostedStoreFixture;
  let other: HostedStoreFixture;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    app = await startTestApp();
    receiver = await WebhookReceiver.start();
    store = await createHostedStore(app);
    other = await createHostedStore(app);
  });
  afterAll(async () => {
    await receiver?.close();
    await app?.close();
  });

  it('creates a key with the scopes ticked, shows it once, and revokes it', async () => {
    const owner = await signedIn(app, store);
    const page = await owner.get('/admin/developers/api-keys');
    expect(page.status).toBe(200);
    expect(page.html).toContain('<label for="field-name">Name');
    expect(page.html).toMatch(/<label for="field-scopes-read_products">.*read_products/);
    expect(page.html).toMatch(/<button type="submit">Create key<\/button>/);

    const created = await owner.submit('/admin/developers/api-keys', '/admin/developers/api-keys', {
      name: 'Stock script',
      scopes: ['read_products', 'read_orders'],
    });
    expect(created.status).toBe(201);
    const key = created.html.match(/<code class="secret">([^<]+)<\/code>/)![1];
    expect(key).toMatch(/^dk_live_/);
    expect(created.headers['cache-control']).toBe('no-store');

    const reloaded = await owner.get('/admin/developers/api-keys');
    expect(reloaded.html).toContain('Stock script');
    expect(reloaded.html).not.toContain(key);

    expect((await app.request('GET', '/v1/products', { token: key })).status).toBe(200);
    expect((await app.request('GET', '/v1/orders', { token: key })).status).toBe(200);
    expect((await app.request('GET', '/v1/customers', { token: key })).status).toBe(403);
    const write = await app.request('POST', '/v1/customers', {
      token: key,
      body: { email: 'someone@example.com' },
    });
    expect(write.status).toBe(403);

    const keyId = reloaded.html.match(/<tr id="(key_[^"]+)"><td>Stock script</)![1];
    const revoked = await owner.submit(
      '/admin/developers/api-keys',
      `/admin/developers/api-keys/${keyId}/revoke`,
      {},
    );
    expect(revoked.status).toBe(303);
    expect((await app.request('GET', '/v1/products', { token: key })).status).toBe(401);
    expect(textOf((await owner.get('/admin/developers/api-keys')).html)).toContain('Revoked');
  });

  it('refuses a key without a name or scope with REST’s messages, and creates nothing', async () => {
    const owner = await signedIn(app, store);
    const refused = await owner.submit('/admin/developers/api-keys', '/admin/developers/api-keys', {
      name: '',
    });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('name must be longer than or equal to 1 characters');
    expect(refused.html).toContain('scopes must contain at least 1 elements');
    const keys = await app.request('GET', `/v1/platform/stores/${store.storeId}/api-keys`, {
      token: app.adminToken,
    });
    expect(keys.body.data.map((one: { name: string }) => one.name)).not.toContain('');
  });

  it('subscribes a receiver, sends a test, shows the attempt, retries, rotates and deletes', async () => {
    const owner = await signedIn(app, store);
    const url = `${receiver.url}/hosted-admin`;
    const created = await owner.submit('/admin/developers/webhooks', '/admin/developers/webhooks', {
      url,
      topics: ['product.created', 'order.*'],
    });
    expect(created.status).toBe(201);
    const secret = created.html.match(/<code class="secret">([^<]+)<\/code>/)![1];
    expect(secret).toMatch(/^whsec_/);
    const id = created.html.match(
      /action="\/admin\/developers\/webhooks\/(whsub_[^/]+)\/test"/,
    )![1];
    const path = `/admin/developers/webhooks/${id}`;
    const shown = await owner.get(path);
    expect(shown.html).not.toContain(secret);
    expect(shown.html).toMatch(/<button type="submit">Send test<\/button>/);
    const listed = await app.request('GET', `/v1/webhook-subscriptions/${id}`, {
      token: store.key,
    });
    expect(listed.body).toMatchObject({ url, topics: ['product.created', 'order.*'] });

    receiver.status('/hosted-admin', 200);
    expect((await owner.submit(path, `${path}/test`, {})).status).toBe(303);
    await receiver.waitFor((received) => received.some((one) => one.path === '/hosted-admin'));
    const withAttempt = await pageWhen(owner, path, (html) => html.includes('class="attempt"'));
    expect(textOf(withAttempt)).toMatch(/webhook\.test/);
    expect(textOf(withAttempt)).toMatch(/ 200 \d+ ms/);

    receiver.status('/hosted-admin', 500);
    const deliveryId = withAttempt.match(/webhook-deliveries\/(whdel_[^/]+)\/retry/)![1];
    const retried = await owner.submit(
      path,
      `/admin/developers/webhook-deliveries/${deliveryId}/retry`,
      {},
    );
    expect(retried.status).toBe(303);
    expect(retried.location).toBe(path);
    const failed = await pageWhen(owner, path, (html) => textOf(html).includes(' 500 '));
    expect(failed.match(/class="attempt"/g)!.length).toBeGreaterThanOrEqual(2);

    const rotated = await owner.submit(path, `${path}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    const newSecret = rotated.html.match(/<code class="secret">([^<]+)<\/code>/)![1];
    expect(newSecret).not.toBe(secret);
    expect((await owner.get(path)).html).not.toContain(newSecret);

    const deleted = await owner.submit(path, `${path}/delete`, {});
    expect(deleted.status).toBe(303);
    expect(deleted.location).toBe('/admin/developers/webhooks');
    expect(
      (await app.request('GET', `/v1/webhook-subscriptions/${id}`, { token: store.key })).status,
    ).toBe(404);
    expect((await owner.get(path)).status).toBe(404);
  });

  it('shows the network guard’s message for a URL it refuses, beside the field', async () => {
    const strict = await startTestApp({ env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' } });
    try {
      const strictStore = await createHostedStore(strict);
      const owner = await signedIn(strict, strictStore);
      const rest = await strict.request('POST', '/v1/webhook-subscriptions', {
        token: strictStore.key,
        body: { url: 'http://127.0.0.1:9/hook', topics: ['product.created'] },
      });
      expect(rest.status).toBe(400);
      const refused = await owner.submit(
        '/admin/developers/webhooks',
        '/admin/developers/webhooks',
        { url: 'http://127.0.0.1:9/hook', topics: 'product.created' },
      );
      expect(refused.status).toBe(400);
      expect(refused.html).toContain('class="field-error" id="field-url-error"');
      expect(refused.html).toContain(rest.body.errors[0].message);
      expect(refused.html).toContain('value="http://127.0.0.1:9/hook"');
      const list = await strict.request('GET', '/v1/webhook-subscriptions', {
        token: strictStore.key,
      });
      expect(list.body.data).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });

  it('uninstalls an installed app, whose tokens stop working', async () => {
    const registered = await registerApp(app, { confidential: true, scopes: ['read_products'] });
    const redirect = await approve(
      new Browser(app.url),
      authorizePath({
        response_type: 'code',
        client_id: registered.clientId,
        redirect_uri: REDIRECT_URI,
        scope: 'read_products',
        state: 'install',
      }),
      store.owner,
    );
    const tokens = await tokenRequest(
      app.url,
      {
        grant_type: 'authorization_code',
        code: redirect.searchParams.get('code')!,
        redirect_uri: REDIRECT_URI,
      },
      { clientId: registered.clientId, clientSecret: registered.clientSecret! },
    );
    const appToken = String(tokens.body.access_token);
    expect((await app.request('GET', '/v1/products', { token: appToken })).status).toBe(200);
    const owner = await signedIn(app, store);
    const apps = await owner.get('/admin/developers/apps');
    const installationId = apps.html.match(
      /action="\/admin\/developers\/apps\/(inst_[^/]+)\/uninstall"/,
    )![1];
    expect(textOf(apps.html)).toContain('read_products');
    const uninstalled = await owner.submit(
      '/admin/developers/apps',
      `/admin/developers/apps/${installationId}/uninstall`,
      {},
    );
    expect(uninstalled.status).toBe(303);
    const installations = await app.request(
      'GET',
      `/v1/platform/stores/${store.storeId}/installations`,
      { token: app.adminToken },
    );
    expect(installations.body.data.map((one: { id: string }) => one.id)).not.toContain(
      installationId,
    );
    expect((await app.request('GET', '/v1/products', { token: appToken })).status).toBe(401);
  });

  it('answers 403 to a staff account on every developers page', async () => {
    const staff = await signedIn(app, store, store.staff);
    for (const path of [
      '/admin/developers',
      '/admin/developers/api-keys',
      '/admin/developers/webhooks',
      '/admin/developers/apps',
      '/admin/developers/sync-conflicts',
    ])
      expect([path, (await staff.get(path)).status]).toEqual([path, 403]);
    const token = csrfTokenOf((await staff.get('/admin')).html);
    const posted = await staff.post('/admin/developers/api-keys', {
      _csrf: token,
      name: 'staff key',
      scopes: 'read_products',
    });
    expect(posted.status).toBe(403);
    const keys = await app.request('GET', `/v1/platform/stores/${store.storeId}/api-keys`, {
      token: app.adminToken,
    });
    expect(keys.body.data.map((one: { name: string }) => one.name)).not.toContain('staff key');
  });

  it('answers 404 to another store’s key, subscription or delivery', async () => {
    const key = await app.request('POST', `/v1/platform/stores/${other.storeId}/api-keys`, {
      token: app.adminToken,
      body: { name: 'other’s', scopes: ['read_products'] },
    });
    const subscription = await app.request('POST', '/v1/webhook-subscriptions', {
      token: other.key,
      body: { url: `${receiver.url}/other`, topics: ['product.created'] },
    });
    const owner = await signedIn(app, store);
    const token = csrfTokenOf((await owner.get('/admin/developers/api-keys')).html);
    const base = '/admin/developers';
    expect(
      (await owner.post(`${base}/api-keys/${key.body.id}/revoke`, { _csrf: token })).status,
    ).toBe(404);
    expect((await owner.get(`${base}/webhooks/${subscription.body.id}`)).status).toBe(404);
    for (const action of ['test', 'rotate-secret', 'delete'])
      expect(
        (await owner.post(`${base}/webhooks/${subscription.body.id}/${action}`, { _csrf: token }))
          .status,
      ).toBe(404);
    const delivery = await app.request(
      'POST',
      `/v1/webhook-subscriptions/${subscription.body.id}/test`,
      { token: other.key },
    );
    expect(delivery.status).toBe(202);
    expect(
      (
        await owner.post(`${base}/webhook-deliveries/${delivery.body.id}/retry`, {
          _csrf: token,
        })
      ).status,
    ).toBe(404);
    expect((await app.request('GET', '/v1/products', { token: key.body.key })).status).toBe(200);
    const still = await app.request('GET', `/v1/webhook-subscriptions/${subscription.body.id}`, {
      token: other.key,
    });
    expect(still.status).toBe(200);
    expect(still.body.version).toBe(1);
  });

  it('refuses a form without its CSRF token with 403 and changes nothing', async () => {
    const owner = await signedIn(app, store);
    const before = await app.request('GET', `/v1/platform/stores/${store.storeId}/api-keys`, {
      token: app.adminToken,
    });
    const posted = await owner.post('/admin/developers/api-keys', {
      name: 'without token',
      scopes: 'read_products',
    });
    expect(posted.status).toBe(403);
    const keyId = before.body.data[0].id;
    expect((await owner.post(`/admin/developers/api-keys/${keyId}/revoke`, {})).status).toBe(403);
    const after = await app.request('GET', `/v1/platform/stores/${store.storeId}/api-keys`, {
      token: app.adminToken,
    });
    expect(after.body.data).toEqual(before.body.data);
    expect((await app.request('GET', '/v1/products', { token: store.key })).status).toBe(200);
  });

  it('lists a self-hosted store’s sync conflicts and resolves one by keeping its side', async () => {
    const handle = `self-${Date.now().toString(36)}`;
    const created = await app.request('POST', '/v1/platform/stores', {
      token: app.adminToken,
      body: { name: 'Self shop', handle, currency: 'EUR', hosting: 'self_hosted' },
    });
    expect(created.status).toBe(201);
    const storeId = created.body.id;
    const key = (
      await app.request('POST', `/v1/platform/stores/${storeId}/api-keys`, {
        token: app.adminToken,
        body: { name: 'agent', scopes: ['sync', 'read_customers', 'write_customers'] },
      })
    ).body.key;
    const owner = { email: `owner@${handle}.example.com`, password: `owner password ${handle}` };
    await app.request('POST', `/v1/platform/stores/${storeId}/staff`, {
      token: app.adminToken,
      body: { ...owner, role: 'owner' },
    });
    const push = (batchId: string, lastName: string, baseVersion: number | null) =>
      app.request('POST', '/v1/sync/push', {
        token: key,
        body: {
          batchId,
          changes: [
            {
              resource: 'customer',
              externalId: 'cust-1',
              baseVersion,
              data: { email: 'both@example.com', firstName: 'Bo', lastName },
            },
          ],
        },
      });
    const customerId = (await push('c-0', 'Th', null)).body.results[0].id;
    await app.request('PATCH', `/v1/customers/${customerId}`, {
      token: key,
      body: { lastName: 'Platform' },
    });
    const clash = await push('c-1', 'Self', 1);
    const conflictId = clash.body.results[0].conflict.id;

    const client = await signedIn(app, {
      storeId,
      handle,
      host: `${handle}.localhost:3000`,
      key,
      owner,
      staff: owner,
    });
    expect((await client.get('/admin/developers')).html).toContain('Sync conflicts');
    const page = await client.get('/admin/developers/sync-conflicts');
    expect(page.status).toBe(200);
    expect(textOf(page.html)).toContain('customer cust-1');
    expect(textOf(page.html)).toContain('Fields: lastName');
    const resolve = `/admin/developers/sync-conflicts/${conflictId}/resolve`;
    const refused = await client.submit('/admin/developers/sync-conflicts', resolve, {
      keep: 'neither',
    });
    expect(refused.status).toBe(400);
    const resolved = await client.post(resolve, {
      _csrf: csrfTokenOf(page.html, resolve),
      keep: 'self_hosted',
    });
    expect(resolved.status).toBe(303);
    const conflict = await app.request('GET', `/v1/sync/conflicts/${conflictId}`, { token: key });
    expect(conflict.body).toMatchObject({ status: 'resolved', resolution: 'self_hosted_kept' });
    const customer = await app.request('GET', `/v1/customers/${customerId}`, { token: key });
    expect(customer.body.lastName).toBe('Self');
    expect(textOf((await client.get('/admin/developers/sync-conflicts')).html)).toContain(
      'The self-hosted change was kept',
    );
  });

  it('answers a page, not a 500, to a list opened at a broken cursor', async () => {
    const owner = await signedIn(app, store);
    for (const path of ['api-keys', 'webhooks', 'apps']) {
      const answer = await owner.get(`/admin/developers/${path}?cursor=not-a-cursor`);
      expect([path, answer.status]).toEqual([path, 400]);
      expect(answer.headers['content-type']).toContain('text/html');
    }
  });

  it('shows sync conflicts only for a self-hosted store', async () => {
    const owner = await signedIn(app, store);
    expect((await owner.get('/admin/developers/sync-conflicts')).status).toBe(404);
    expect((await owner.get('/admin/developers')).html).not.toContain('Sync conflicts');
  });
});
