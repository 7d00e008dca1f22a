import { SCOPES } from '../src/common/scopes';
import { startTestApp, TestApp } from './support/test-app';

describe('event log', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { DATABASE_POOL_SIZE: '12' } });
  });
  afterAll(() => app.close());

  const product = (sku: string, extra: Record<string, unknown> = {}) => ({
    title: `Product ${sku}`,
    status: 'active',
    variants: [{ sku, price: 1500, inventoryQuantity: 3 }],
    ...extra,
  });

  it('records product.created in the transaction, with the REST representation as data.object', async () => {
    const { key, storeId } = await app.createStore([...SCOPES]);
    const created = await app.request('POST', '/v1/products', {
      token: key,
      body: product('EVT-1'),
    });
    expect(created.status).toBe(201);
    const events = await app.request('GET', '/v1/events', { token: key });
    expect(events.status).toBe(200);
    expect(events.body.data).toEqual([
      {
        id: expect.stringMatching(/^evt_[0-9a-z]{26}$/),
        type: 'product.created',
        createdAt: expect.any(String),
        storeId,
        apiVersion: 'v1',
        data: { object: created.body },
      },
    ]);
    expect(events.body.nextCursor).toBeNull();
    // The envelope's object is byte for byte what REST answered.
    expect(events.text).toContain(`"data":{"object":${created.text}}`);
  });

  it('leaves no event and no gap behind a change that failed', async () => {
    const { key, storeId } = await app.createStore([...SCOPES]);
    await app.request('POST', '/v1/products', { token: key, body: product('DUP') });
    const refused = await app.request('POST', '/v1/products', {
      token: key,
      body: product('DUP', { handle: 'other' }),
    });
    expect(refused.status).toBe(409);
    await app.request('POST', '/v1/products', { token: key, body: product('NEXT') });
    const rows = await app.running.dataSource.query(
      `SELECT sequence, type FROM "${storeId}".events ORDER BY sequence`,
    );
    expect(rows.map((row: { sequence: string }) => Number(row.sequence))).toEqual([1, 2]);
  });

  it('pages with cursors and Link headers', async () => {
    const { key } = await app.createStore([...SCOPES]);
    for (let i = 0; i < 5; i++)
      await app.request('POST', '/v1/products', { token: key, body: product(`PAGE-${i}`) });
    const first = await app.request('GET', '/v1/events?limit=2', { token: key });
    expect(first.headers.get('link')).toContain('rel="next"');
    const second = await app.request('GET', `/v1/events?limit=2&cursor=${first.body.nextCursor}`, {
      token: key,
    });
    const third = await app.request('GET', `/v1/events?limit=2&cursor=${second.body.nextCursor}`, {
      token: key,
    });
    const skus = [first, second, third].flatMap((page) =>
      page.body.data.map(
        (e: { data: { object: { variants: { sku: string }[] } } }) => e.data.object.variants[0].sku,
      ),
    );
    expect(skus).toEqual(['PAGE-0', 'PAGE-1', 'PAGE-2', 'PAGE-3', 'PAGE-4']);
    expect(third.body.nextCursor).toBeNull();
  });

  it('pages through concurrent writers in commit order, seeing every event exactly once', async () => {
    const { key } = await app.createStore([...SCOPES]);
    const writers = 6;
    const perWriter = 15;
    const total = writers * perWriter;
    const writing = Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        for (let i = 0; i < perWriter; i++) {
          const response = await app.request('POST', '/v1/products', {
            token: key,
            body: product(`W${writer}-${i}`),
          });
          if (response.status !== 201) throw new Error(response.text);
        }
      }),
    );
    const seen: string[] = [];
    let lastEventId: string | null = null;
    const deadline = Date.now() + 30_000;
    while (seen.length < total && Date.now() < deadline) {
      const page = await app.request(
        'GET',
        `/v1/events?limit=7${lastEventId ? `&after=${lastEventId}` : ''}`,
        { token: key },
      );
      const events: { id: string; data: { object: { variants: { sku: string }[] } } }[] =
        page.body.data;
      seen.push(...events.map((event) => event.data.object.variants[0].sku));
      if (events.length > 0) lastEventId = events[events.length - 1].id;
    }
    await writing;
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('shows only the event types the key may read, and only its own store', async () => {
    const writer = await app.createStore([...SCOPES]);
    await app.request('POST', '/v1/products', { token: writer.key, body: product('SCOPED') });
    const keyFor = async (scopes: string[]) =>
      (
        await app.request('POST', `/v1/platform/stores/${writer.storeId}/api-keys`, {
          token: app.adminToken,
          body: { name: 'x', scopes },
        })
      ).body.key;

    const eventsOnly = await keyFor(['read_events']);
    expect((await app.request('GET', '/v1/events', { token: eventsOnly })).body.data).toEqual([]);
    const withProducts = await keyFor(['read_events', 'read_products']);
    expect(
      (await app.request('GET', '/v1/events', { token: withProducts })).body.data,
    ).toHaveLength(1);
    const wrongType = await app.request('GET', '/v1/events?type=order.created', {
      token: withProducts,
    });
    expect(wrongType.status).toBe(403);
    const noEventsScope = await keyFor(['read_products']);
    expect((await app.request('GET', '/v1/events', { token: noEventsScope })).status).toBe(403);

    const other = await app.createStore([...SCOPES]);
    expect((await app.request('GET', '/v1/events', { token: other.key })).body.data).toEqual([]);
  });

  it('refuses bad filters and cursors', async () => {
    const { key } = await app.createStore([...SCOPES]);
    const unknownEvent = await app.request(
      'GET',
      '/v1/events?after=evt_01jzzzzzzzzzzzzzzzzzzzzzzz',
      { token: key },
    );
    expect(unknownEvent.status).toBe(404);
    expect(unknownEvent.body.errors[0].path).toBe('after');
    for (const query of [
      'type=product.exploded',
      'cursor=abc',
      'limit=0',
      'since=yesterday',
      'after=prod_1',
      'after=evt_01jzzzzzzzzzzzzzzzzzzzzzzz&cursor=WzFd',
    ]) {
      const response = await app.request('GET', `/v1/events?${query}`, { token: key });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('validation_failed');
    }
  });
});
