import { request as httpRequest } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { SCOPES } from '../src/common/scopes';
import { HttpResponse, startTestApp, TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

/**
 * Actions (`POST …/{id}/test`, `/rotate-secret`, `/retry`, and the order actions) as ordinary
 * clients call them: axios and generated clients send `{}`, `fetch` with a JSON header sends an
 * empty body, Node streams send an empty chunked one. Every route is also swept generically in
 * every-route.e2e-spec.ts; this suite checks what each webhook action then does.
 */
describe('actions take what clients send', () => {
  let app: TestApp;
  let receiver: WebhookReceiver;
  let store: { storeId: string; key: string };
  let other: { storeId: string; key: string };
  let hooks = 0;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    app = await startTestApp();
    store = await app.createStore([...SCOPES]);
    other = await app.createStore([...SCOPES]);
  });
  afterAll(async () => {
    await app?.close();
    await receiver?.close();
  });

  async function subscribe() {
    hooks += 1;
    const path = `/actions-${hooks}`;
    const response = await app.request('POST', '/v1/webhook-subscriptions', {
      token: store.key,
      body: { url: `${receiver.url}${path}`, topics: ['order.*'] },
    });
    expect(response.status).toBe(201);
    return { id: response.body.id as string, secret: response.body.secret as string, path };
  }

  const post = (path: string, body?: unknown, token = store.key) =>
    app.request('POST', path, { token, body });

  /** The test event a subscription receives after `/test`, with the secrets that verify it. */
  async function verifiedBy(subscription: { id: string; path: string }, secrets: string[]) {
    const before = receiver.on(subscription.path).length;
    expect((await post(`/v1/webhook-subscriptions/${subscription.id}/test`, {})).status).toBe(202);
    await receiver.waitFor(() => receiver.on(subscription.path).length > before);
    const webhook = receiver.on(subscription.path)[before];
    return secrets.map((secret) => {
      try {
        new Webhook(secret).verify(webhook.body, webhook.headers);
        return true;
      } catch {
        return false;
      }
    });
  }

  it('sends a test event and retries its delivery with {}', async () => {
    const subscription = await subscribe();
    const test = await post(`/v1/webhook-subscriptions/${subscription.id}/test`, {});
    expect(test.status).toBe(202);
    expect(test.body).toMatchObject({
      id: expect.stringMatching(/^whdel_/),
      eventType: 'webhook.test',
    });
    await receiver.waitFor(() => receiver.on(subscription.path).length === 1);
    const retry = await post(`/v1/webhook-deliveries/${test.body.id}/retry`, {});
    expect(retry.status).toBe(202);
    expect(retry.body.id).toBe(test.body.id);
    await receiver.waitFor(() => receiver.on(subscription.path).length === 2);
    const [first, again] = receiver.on(subscription.path);
    expect(again.headers['webhook-id']).toBe(first.headers['webhook-id']);
  });

  it('rotates the secret with {} keeping the default overlap, and honours overlapSeconds', async () => {
    const subscription = await subscribe();
    const rotated = await post(`/v1/webhook-subscriptions/${subscription.id}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(subscription.secret);
    // `{}` is the default overlap (a day): the old secret still signs beside the new one.
    expect(await verifiedBy(subscription, [rotated.body.secret, subscription.secret])).toEqual([
      true,
      true,
    ]);
    const now = await post(`/v1/webhook-subscriptions/${subscription.id}/rotate-secret`, {
      overlapSeconds: 0,
    });
    expect(now.status).toBe(200);
    expect(await verifiedBy(subscription, [now.body.secret, rotated.body.secret])).toEqual([
      true,
      false,
    ]);
  });

  it('refuses an unknown field on every webhook action with its path, and changes nothing', async () => {
    const subscription = await subscribe();
    const delivery = (await post(`/v1/webhook-subscriptions/${subscription.id}/test`)).body;
    const cases: [string, Record<string, unknown>, string][] = [
      [
        `/v1/webhook-subscriptions/${subscription.id}/test`,
        { eventType: 'order.paid' },
        'eventType',
      ],
      [`/v1/webhook-subscriptions/${subscription.id}/rotate-secret`, { overlap: 60 }, 'overlap'],
      [`/v1/webhook-deliveries/${delivery.id}/retry`, { force: true }, 'force'],
    ];
    for (const [path, body, field] of cases) {
      const response = await post(path, body);
      expect({ path, status: response.status, errors: response.body.errors }).toEqual({
        path,
        status: 400,
        errors: [{ path: field, code: 'unknown_field', message: `Unknown field "${field}".` }],
      });
    }
    // The secret was not rotated (a rotation is a new version) and the refused test sent nothing.
    const after = await app.request('GET', `/v1/webhook-subscriptions/${subscription.id}`, {
      token: store.key,
    });
    expect(after.body.version).toBe(1);
    const deliveries = await app.request(
      'GET',
      `/v1/webhook-subscriptions/${subscription.id}/deliveries`,
      { token: store.key },
    );
    expect(deliveries.body.data.map((each: { id: string }) => each.id)).toEqual([delivery.id]);
  });

  it("answers 404 for another store's subscription and delivery, with {} or without a body", async () => {
    const subscription = await subscribe();
    const delivery = (await post(`/v1/webhook-subscriptions/${subscription.id}/test`)).body;
    for (const path of [
      `/v1/webhook-subscriptions/${subscription.id}/test`,
      `/v1/webhook-subscriptions/${subscription.id}/rotate-secret`,
      `/v1/webhook-deliveries/${delivery.id}/retry`,
    ]) {
      for (const body of [undefined, {}]) {
        const response = await post(path, body, other.key);
        expect({ path, body, status: response.status, code: response.body.code }).toEqual({
          path,
          body,
          status: 404,
          code: 'not_found',
        });
      }
    }
  });

  /** A POST with an empty chunked body, as a Node stream piped into a request sends it. */
  function chunkedEmptyPost(path: string, contentType: string): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        `${app.url}${path}`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${store.key}`,
            'content-type': contentType,
            'transfer-encoding': 'chunked',
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode!,
              headers: new Headers(response.headers as Record<string, string>),
              body: text ? JSON.parse(text) : undefined,
              text,
            }),
          );
        },
      );
      request.on('error', reject);
      request.end();
    });
  }

  it('takes an empty chunked JSON body as no body, and refuses other chunked types unread', async () => {
    const subscription = await subscribe();
    const json = await chunkedEmptyPost(
      `/v1/webhook-subscriptions/${subscription.id}/rotate-secret`,
      'application/json',
    );
    expect(json.status).toBe(200);
    const text = await chunkedEmptyPost(
      `/v1/webhook-subscriptions/${subscription.id}/rotate-secret`,
      'text/plain',
    );
    expect(text.status).toBe(415);
    expect(text.body.code).toBe('unsupported_media_type');
  });

  it('still answers a clear 400 where a body is required and none or an empty one came', async () => {
    for (const options of [
      {},
      { rawBody: '', headers: { 'content-type': 'application/json' } },
      { rawBody: '', headers: { 'content-type': 'text/plain' } },
    ]) {
      const response = await app.request('POST', '/v1/products', { token: store.key, ...options });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'validation_failed',
        errors: [{ path: '', code: 'body_required', message: expect.any(String) }],
      });
    }
    const products = await app.request('GET', '/v1/products', { token: store.key });
    expect(products.body.data).toEqual([]);
  });
});
