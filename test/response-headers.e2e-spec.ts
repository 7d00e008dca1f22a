import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { RunningApplication, startApplication } from '../src/app/application';
import { SCOPES } from '../src/common/scopes';
import { loadConfig } from '../src/config/config';
import { formPost, tokenRequest } from './support/oauth';
import {
  checkedInDocument,
  documentedCacheControl,
  Operation,
  operationsOf,
} from './support/openapi-document';
import { startTestApp, TestApp } from './support/test-app';

const PUBLIC_URL = 'https://api.dukkadee.test';
const HSTS = 'max-age=31536000';
const document = checkedInDocument();
const operations = operationsOf(document);
/** An id of the right shape that names nothing, so each call gets as far as its lookup. */
const MISSING_ID = 'missing_01m87c5vzbhcrq8m2h3cwdn2rd';

interface Answer {
  status: number;
  headers: Headers;
}

/**
 * One request to a documented operation, as a client that knows nothing of the store would send
 * it: path parameters naming nothing, an empty body of the media type the operation takes.
 */
async function call(base: string, { method, path, operation }: Operation, token?: string) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const media = Object.keys(operation.requestBody?.content ?? {})[0];
  let body: string | undefined;
  if (media === 'application/json') body = '{}';
  if (media === 'application/x-www-form-urlencoded') body = 'grant_type=password';
  if (media) headers['content-type'] = media;
  const url = `${base}${path.replace(/\{[^}]+\}/g, MISSING_ID)}`;
  const response = await fetch(url, { method, headers, body, redirect: 'manual' });
  await response.arrayBuffer();
  return { status: response.status, headers: response.headers };
}

/** What every answer carries, and the Cache-Control the document gives its status. */
function expectDocumentedHeaders({ method, path, operation }: Operation, answer: Answer) {
  const allowed = documentedCacheControl(document, operation.responses[String(answer.status)]);
  const cacheControl = answer.headers.get('cache-control');
  expect({
    call: `${method} ${path} → ${answer.status}`,
    documented: allowed !== undefined,
    cacheControl,
    nosniff: answer.headers.get('x-content-type-options'),
    hsts: answer.headers.get('strict-transport-security'),
    requestId: answer.headers.get('x-request-id'),
  }).toEqual({
    call: `${method} ${path} → ${answer.status}`,
    documented: true,
    // The answer's value when the document allows it, else what the document allows.
    cacheControl: cacheControl && allowed?.includes(cacheControl) ? cacheControl : allowed,
    nosniff: 'nosniff',
    hsts: HSTS,
    requestId: expect.stringMatching(/^req_/),
  });
}

function expectSecretAnswer(answer: Answer) {
  expect(answer.headers.get('cache-control')).toBe('no-store');
  expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
}

/**
 * Cache-Control, nosniff and HSTS on every answer (issue 11, item 5), checked on every route of
 * the OpenAPI document against what the document says, including errors and unknown routes.
 */
describe('Response headers', () => {
  let app: TestApp;
  let key: string;
  let storeId: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { PUBLIC_URL } });
    ({ key, storeId } = await app.createStore([...SCOPES]));
  });
  afterAll(() => app.close());

  const credentialFor = (path: string) =>
    path.startsWith('/v1/platform/')
      ? app.adminToken
      : path.startsWith('/v1/') || path === '/graphql'
        ? key
        : undefined;

  it('every documented operation, called with its credential, answers the headers the document gives its status', async () => {
    for (const operation of operations)
      expectDocumentedHeaders(
        operation,
        await call(app.url, operation, credentialFor(operation.path)),
      );
  });

  it('every documented operation, called without a credential, does too', async () => {
    for (const operation of operations)
      expectDocumentedHeaders(operation, await call(app.url, operation));
  });

  it('the answers that carry a secret are exactly the ones the document marks', () => {
    expect(
      operations
        .filter(({ operation }) => operation['x-carries-secret'])
        .map(({ method, path }) => `${method} ${path}`)
        .sort(),
    ).toEqual([
      'GET /oauth/authorize',
      'POST /oauth/authorize',
      'POST /oauth/sign-in',
      'POST /oauth/token',
      'POST /v1/platform/apps',
      'POST /v1/platform/stores/{storeId}/api-keys',
      'POST /v1/webhook-subscriptions',
      'POST /v1/webhook-subscriptions/{id}/rotate-secret',
    ]);
  });

  it('a new API key, client secret, webhook secret and OAuth token are answered no-store', async () => {
    const apiKey = await app.request('POST', `/v1/platform/stores/${storeId}/api-keys`, {
      token: app.adminToken,
      body: { name: 'shown once', scopes: ['read_products'] },
    });
    expect(apiKey.status).toBe(201);
    expect(apiKey.body.key).toMatch(/^dk_live_/);
    expectSecretAnswer(apiKey);

    const oauthApp = await app.request('POST', '/v1/platform/apps', {
      token: app.adminToken,
      body: {
        name: 'Secret app',
        redirectUris: ['https://app.example.com/cb'],
        scopes: ['read_products'],
        confidential: true,
        storeId,
      },
    });
    expect(oauthApp.status).toBe(201);
    expect(oauthApp.body.clientSecret).toBeDefined();
    expectSecretAnswer(oauthApp);

    const subscription = await app.request('POST', '/v1/webhook-subscriptions', {
      token: key,
      body: { url: 'http://127.0.0.1:9/hooks', topics: ['product.created'] },
    });
    expect(subscription.status).toBe(201);
    expect(subscription.body.secret).toMatch(/^whsec_/);
    expectSecretAnswer(subscription);
    const rotated = await app.request(
      'POST',
      `/v1/webhook-subscriptions/${subscription.body.id}/rotate-secret`,
      { token: key, body: {} },
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expectSecretAnswer(rotated);
    // Read back later, the subscription holds no secret and is an ordinary answer.
    const read = await app.request('GET', `/v1/webhook-subscriptions/${subscription.body.id}`, {
      token: key,
    });
    expect(read.body.secret).toBeUndefined();
    expect(read.headers.get('cache-control')).toBe('private, no-cache');

    const tokens = await tokenRequest(
      app.url,
      { grant_type: 'client_credentials' },
      { clientId: oauthApp.body.clientId, clientSecret: oauthApp.body.clientSecret },
    );
    expect(tokens.status).toBe(200);
    expect(tokens.body.access_token).toMatch(/^dk_oat_/);
    expectSecretAnswer(tokens);
    expect(tokens.headers.get('pragma')).toBe('no-cache');
    const introspection = await formPost(
      app.url,
      '/oauth/introspect',
      { token: String(tokens.body.access_token) },
      { clientId: oauthApp.body.clientId, clientSecret: oauthApp.body.clientSecret },
    );
    expect(introspection.body.active).toBe(true);
    expect(introspection.headers.get('cache-control')).toBe('no-store');
  });

  it('GraphQL answers no-store when the operation selects a secret, private, no-cache otherwise', async () => {
    const graphql = (query: string) =>
      app.request('POST', '/graphql', { token: key, body: { query } });
    const created = await graphql(
      'mutation { webhookSubscriptionCreate(input: { url: "http://127.0.0.1:9/gql", topics: ["order.created"] }) { webhookSubscription { id secret } userErrors { code } } }',
    );
    expect(created.status).toBe(200);
    expect(created.body.data.webhookSubscriptionCreate.webhookSubscription.secret).toMatch(
      /^whsec_/,
    );
    expectSecretAnswer(created);
    const listed = await graphql('{ webhookSubscriptions { edges { node { id } } } }');
    expect(listed.status).toBe(200);
    expect(listed.headers.get('cache-control')).toBe('private, no-cache');
  });

  it('an ordinary authenticated read says private, no-cache beside its ETag', async () => {
    const created = await app.request('POST', '/v1/products', {
      token: key,
      body: {
        title: 'Tee',
        variants: [{ sku: `TEE-${randomBytes(3).toString('hex')}`, price: 1000 }],
      },
    });
    const read = await app.request('GET', `/v1/products/${created.body.id}`, { token: key });
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(read.headers.get('cache-control')).toBe('private, no-cache');
    expect(read.headers.get('x-content-type-options')).toBe('nosniff');
    expect(read.headers.get('strict-transport-security')).toBe(HSTS);
  });

  it('unknown routes and requests the router or the HTTP parser refuse carry them too', async () => {
    for (const token of [key, undefined]) {
      const unknown = await app.request('GET', '/v1/nothing-here', { token });
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('cache-control')).toBe('private, no-cache');
      expect(unknown.headers.get('x-content-type-options')).toBe('nosniff');
      expect(unknown.headers.get('strict-transport-security')).toBe(HSTS);
    }
    const malformedUrl = await app.request('GET', '/v1/products/%E0%A4%A');
    expect(malformedUrl.status).toBe(400);
    expect(malformedUrl.headers.get('x-content-type-options')).toBe('nosniff');
    expect(malformedUrl.headers.get('cache-control')).toBe('private, no-cache');

    const { port } = new URL(app.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => (text += String(chunk)));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/i);
    expect(raw).toMatch(/\r\nStrict-Transport-Security: max-age=31536000\r\n/i);
    expect(raw).toMatch(/\r\nCache-Control: private, no-cache\r\n/i);
  });

  it('sends no Strict-Transport-Security when PUBLIC_URL is http', async () => {
    const plain = await startTestApp();
    try {
      const answer = await plain.request('GET', '/health/live');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('strict-transport-security')).toBeNull();
    } finally {
      await plain.close();
    }
  });
});

describe('Response headers while the platform is starting', () => {
  let running: RunningApplication;

  beforeAll(async () => {
    // No database answers on port 1: the platform stays in its start-up 503 for the whole suite.
    running = await startApplication(
      loadConfig({
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
        PUBLIC_URL,
        PLATFORM_ADMIN_TOKEN: randomBytes(16).toString('hex'),
        ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        DATA_DIR: mkdtempSync(join(tmpdir(), 'dk-starting-')),
      }),
      { onboarding: false, waitUntilReady: false, logger: pino({ level: 'silent' }) },
    );
  });
  afterAll(() => running.close());

  it('every documented operation answers its documented 503 (or, for probes and metrics, their answer) with the headers', async () => {
    for (const operation of operations) {
      const answer = await call(running.url, operation);
      if (!/^\/(health|metrics)/.test(operation.path)) expect(answer.status).toBe(503);
      expectDocumentedHeaders(operation, answer);
    }
  });
});
