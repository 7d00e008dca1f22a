import { SCOPES } from '../src/common/scopes';
import { startTestApp, TestApp } from './support/test-app';

describe('customers (REST v1)', () => {
  let app: TestApp;
  let key: string;
  let storeId: string;
  beforeAll(async () => {
    app = await startTestApp();
    ({ key, storeId } = await app.createStore([...SCOPES]));
  });
  afterAll(() => app.close());

  let counter = 0;
  const create = async (extra: Record<string, unknown> = {}) => {
    counter += 1;
    const response = await app.request('POST', '/v1/customers', {
      token: key,
      body: { email: `c${counter}@example.com`, firstName: 'Ada', ...extra },
    });
    expect(response.status).toBe(201);
    return response.body;
  };

  it('creates, fetches and lists customers', async () => {
    const response = await app.request('POST', '/v1/customers', {
      token: key,
      body: {
        email: 'Grace@Example.com',
        firstName: 'Grace',
        lastName: 'Hopper',
        phone: '+1 555 0100',
      },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(response.body).toEqual({
      id: expect.stringMatching(/^cus_[0-9a-z]{26}$/),
      email: 'Grace@Example.com',
      firstName: 'Grace',
      lastName: 'Hopper',
      phone: '+1 555 0100',
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(
      (await app.request('GET', `/v1/customers/${response.body.id}`, { token: key })).body,
    ).toEqual(response.body);
    const listed = await app.request('GET', '/v1/customers?limit=250', { token: key });
    expect(listed.body.data.map((c: { id: string }) => c.id)).toContain(response.body.id);
  });

  it('keeps emails unique in the store regardless of case, also under concurrency', async () => {
    await create({ email: 'dup@example.com' });
    const again = await app.request('POST', '/v1/customers', {
      token: key,
      body: { email: 'DUP@example.com' },
    });
    expect(again.status).toBe(409);
    expect(again.body.errors[0].path).toBe('email');
    const racing = await Promise.all(
      Array.from({ length: 6 }, () =>
        app.request('POST', '/v1/customers', { token: key, body: { email: 'race@example.com' } }),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const other = await app.createStore([...SCOPES]);
    expect(
      (
        await app.request('POST', '/v1/customers', {
          token: other.key,
          body: { email: 'dup@example.com' },
        })
      ).status,
    ).toBe(201);
  });

  it('reports every invalid field and creates nothing', async () => {
    const response = await app.request('POST', '/v1/customers', {
      token: key,
      body: { email: 'not-an-email', firstName: 7, phone: 'call me', nickname: 'x' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'email',
      'firstName',
      'nickname',
      'phone',
    ]);
  });

  it('updates with If-Match and records customer.updated', async () => {
    const customer = await create();
    const stale = await app.request('PATCH', `/v1/customers/${customer.id}`, {
      token: key,
      body: { lastName: 'Lovelace' },
      headers: { 'if-match': '"7"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.currentVersion).toBe(1);
    const updated = await app.request('PATCH', `/v1/customers/${customer.id}`, {
      token: key,
      body: { lastName: 'Lovelace' },
      headers: { 'if-match': '"1"' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ lastName: 'Lovelace', firstName: 'Ada', version: 2 });
    const events = (await app.request('GET', '/v1/events?type=customer.updated', { token: key }))
      .body.data;
    expect(events.at(-1).data.object).toEqual(updated.body);
    const taken = await create();
    const clash = await app.request('PATCH', `/v1/customers/${customer.id}`, {
      token: key,
      body: { email: taken.email.toUpperCase() },
    });
    expect(clash.status).toBe(409);
  });

  it('deletes with If-Match and records customer.deleted', async () => {
    const customer = await create();
    expect(
      (
        await app.request('DELETE', `/v1/customers/${customer.id}`, {
          token: key,
          headers: { 'if-match': '"2"' },
        })
      ).status,
    ).toBe(412);
    expect(
      (await app.request('DELETE', `/v1/customers/${customer.id}`, { token: key })).status,
    ).toBe(204);
    expect((await app.request('GET', `/v1/customers/${customer.id}`, { token: key })).status).toBe(
      404,
    );
    const events = (await app.request('GET', '/v1/events?type=customer.deleted', { token: key }))
      .body.data;
    expect(events.at(-1).data.object).toEqual(customer);
  });

  it("answers 404 for another store's customer on every route and changes nothing", async () => {
    const customer = await create();
    const other = await app.createStore([...SCOPES]);
    for (const [method, body] of [
      ['GET'],
      ['PATCH', { firstName: 'Mallory' }],
      ['DELETE'],
    ] as const) {
      expect(
        (await app.request(method, `/v1/customers/${customer.id}`, { token: other.key, body }))
          .status,
      ).toBe(404);
    }
    expect((await app.request('GET', `/v1/customers/${customer.id}`, { token: key })).body).toEqual(
      customer,
    );
  });

  it('needs the customer scopes', async () => {
    const customer = await create();
    const productsOnly = (
      await app.request('POST', `/v1/platform/stores/${storeId}/api-keys`, {
        token: app.adminToken,
        body: { name: 'p', scopes: ['read_products', 'write_products'] },
      })
    ).body.key;
    expect((await app.request('GET', '/v1/customers', { token: productsOnly })).status).toBe(403);
    expect(
      (await app.request('GET', `/v1/customers/${customer.id}`, { token: productsOnly })).status,
    ).toBe(403);
    expect(
      (
        await app.request('POST', '/v1/customers', {
          token: productsOnly,
          body: { email: 'x@example.com' },
        })
      ).status,
    ).toBe(403);
  });
});
