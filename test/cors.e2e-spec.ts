import { existsSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { SCOPES } from '../src/common/scopes';
import { registerApp, tokenRequest } from './support/oauth';
import { checkedInDocument, operationsOf } from './support/openapi-document';
import { startTestApp, TestApp } from './support/test-app';

const CHROMIUM = '/usr/bin/chromium';
const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable)
  console.warn(
    `SKIPPED: no Chromium at ${CHROMIUM} (CI installs it); the CORS browser test did not run`,
  );

const PAGE_ORIGIN = 'https://shop.example';
/** What a browser adds to a fetch from a page of another site. */
const FROM_PAGE = { origin: PAGE_ORIGIN, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' };

/** docs/decisions.md, "Browsers and CORS": where pages of other origins may call. */
const OPEN_TO_BROWSERS = (path: string) =>
  (path.startsWith('/v1/') && !path.startsWith('/v1/platform/')) ||
  path === '/graphql' ||
  ['/oauth/token', '/oauth/revoke', '/oauth/introspect'].includes(path) ||
  path === '/.well-known/oauth-authorization-server';

async function preflight(base: string, method: string, path: string) {
  const response = await fetch(`${base}${path.replace(/\{[^}]+\}/g, 'any_id')}`, {
    method: 'OPTIONS',
    headers: {
      origin: PAGE_ORIGIN,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type, idempotency-key, if-match',
    },
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('CORS and credentials from web pages', () => {
  let app: TestApp;
  let store: { storeId: string; key: string };
  let accessToken: string;

  beforeAll(async () => {
    app = await startTestApp();
    store = await app.createStore([...SCOPES]);
    const oauthApp = await registerApp(app, {
      confidential: true,
      scopes: ['read_products', 'write_products'],
      storeId: store.storeId,
    });
    const tokens = await tokenRequest(
      app.url,
      { grant_type: 'client_credentials' },
      { clientId: oauthApp.clientId, clientSecret: oauthApp.clientSecret! },
    );
    accessToken = String(tokens.body.access_token);
  });
  afterAll(() => app.close());

  it('answers the preflight of every documented operation: allowed where pages may call, refused in words elsewhere', async () => {
    for (const { method, path } of operationsOf(checkedInDocument())) {
      const answer = await preflight(app.url, method, path);
      const seen = {
        call: `${method} ${path}`,
        status: answer.status,
        allowOrigin: answer.headers.get('access-control-allow-origin'),
        allowCredentials: answer.headers.get('access-control-allow-credentials'),
      };
      if (OPEN_TO_BROWSERS(path)) {
        expect(seen).toEqual({ ...seen, status: 204, allowOrigin: '*', allowCredentials: null });
        expect(answer.headers.get('access-control-allow-methods')).toContain(method);
        expect(answer.headers.get('access-control-allow-headers')).toBe(
          'Authorization, Content-Type, Idempotency-Key, If-Match, X-Request-Id, traceparent, tracestate',
        );
        expect(answer.headers.get('access-control-max-age')).toBe('7200');
      } else {
        expect(seen).toEqual({ ...seen, status: 403, allowOrigin: null, allowCredentials: null });
        expect(JSON.parse(answer.text)).toMatchObject({ code: 'forbidden' });
      }
      expect(answer.headers.get('x-request-id')).toMatch(/^req_/);
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('a page of another origin reads the API with an OAuth token: any origin, no credentials mode, the headers it needs exposed', async () => {
    const products = await app.request('GET', '/v1/products', {
      token: accessToken,
      headers: FROM_PAGE,
    });
    expect(products.status).toBe(200);
    expect(products.headers.get('access-control-allow-origin')).toBe('*');
    expect(products.headers.get('access-control-allow-credentials')).toBeNull();
    expect(products.headers.get('vary')).toContain('Origin');
    expect(products.headers.get('access-control-expose-headers')?.split(', ')).toEqual(
      expect.arrayContaining([
        'ETag',
        'Link',
        'RateLimit-Limit',
        'RateLimit-Remaining',
        'RateLimit-Reset',
        'Retry-After',
        'X-Request-Id',
        'Idempotent-Replayed',
        'WWW-Authenticate',
      ]),
    );
    const created = await app.request('POST', '/v1/products', {
      token: accessToken,
      headers: FROM_PAGE,
      body: { title: 'From a page', variants: [{ sku: 'PAGE-1', price: 500 }] },
    });
    expect(created.status).toBe(201);
    // Errors are readable too, so a page can tell a 401 from a network failure.
    const refused = await app.request('GET', '/v1/products', { headers: FROM_PAGE });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('an API key from a page of another origin is refused before anything runs, in an answer the page can read', async () => {
    const before = await app.request('GET', '/v1/products', { token: store.key });
    const fromPages: Record<string, string>[] = [
      FROM_PAGE,
      { origin: PAGE_ORIGIN },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of fromPages) {
      const attempt = await app.request('POST', '/v1/products', {
        token: store.key,
        headers,
        body: { title: 'Leaked key', variants: [{ sku: 'LEAK-1', price: 1 }] },
      });
      expect(attempt.status).toBe(403);
      expect(attempt.body).toMatchObject({ code: 'forbidden' });
      expect(attempt.body.detail).toContain('OAuth access token');
      expect(attempt.headers.get('access-control-allow-origin')).toBe('*');
    }
    const after = await app.request('GET', '/v1/products', { token: store.key });
    expect(after.body.data).toEqual(before.body.data);
    const admin = await app.request('GET', '/v1/platform/stores', {
      token: app.adminToken,
      headers: FROM_PAGE,
    });
    expect(admin.status).toBe(403);
    expect(admin.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('an API key still works from servers, and from this server’s own pages (Swagger UI, the GraphQL explorer)', async () => {
    const fromHere: Record<string, string>[] = [
      {},
      { origin: app.url },
      { origin: app.url, 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'none' },
    ];
    for (const headers of fromHere) {
      const products = await app.request('GET', '/v1/products', { token: store.key, headers });
      expect(products.status).toBe(200);
    }
  });

  it('GraphQL applies the same rule, over HTTP and when a WebSocket opens', async () => {
    const query = { query: '{ products(first: 1) { edges { node { id } } } }' };
    const withKey = await app.request('POST', '/graphql', {
      token: store.key,
      headers: FROM_PAGE,
      body: query,
    });
    expect(withKey.headers.get('access-control-allow-origin')).toBe('*');
    expect(withKey.body.data).toBeNull();
    expect(withKey.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const withToken = await app.request('POST', '/graphql', {
      token: accessToken,
      headers: FROM_PAGE,
      body: query,
    });
    expect(withToken.body.errors).toBeUndefined();
    expect(withToken.body.data.products.edges.length).toBeGreaterThan(0);

    const closeCode = (token: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(
          `${app.url.replace('http', 'ws')}/graphql`,
          'graphql-transport-ws',
          {
            origin: PAGE_ORIGIN,
          },
        );
        socket.on('open', () =>
          socket.send(
            JSON.stringify({
              type: 'connection_init',
              payload: { authorization: `Bearer ${token}` },
            }),
          ),
        );
        socket.on('message', (data) => {
          if (JSON.parse(String(data)).type === 'connection_ack') socket.close(1000);
        });
        socket.on('close', (code) => resolve(code));
      });
    expect(await closeCode(store.key)).toBe(4403);
    expect(await closeCode(accessToken)).toBe(1000);
  });

  it('browser apps reach the OAuth endpoints from their own origin', async () => {
    const discovery = await app.request('GET', '/.well-known/oauth-authorization-server', {
      headers: FROM_PAGE,
    });
    expect(discovery.headers.get('access-control-allow-origin')).toBe('*');
    const fromPage = await fetch(`${app.url}/oauth/token`, {
      method: 'POST',
      headers: { ...FROM_PAGE, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=nobody',
    });
    // The page can read OAuth's error, not just see a failed fetch.
    expect(fromPage.headers.get('access-control-allow-origin')).toBe('*');
    expect(await fromPage.json()).toMatchObject({ error: expect.any(String) });
  });

  (chromiumAvailable ? it : it.skip)(
    'in a real browser, a page of another origin calls the API with an OAuth token and is told no for an API key',
    async () => {
      // The page's own origin: another port on loopback is another origin to the browser.
      const page: Server = createServer((_request, response) =>
        response
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><title>Shop</title>'),
      );
      await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
      const pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu'],
      });
      try {
        const tab = await browser.newPage();
        await tab.goto(pageUrl);
        const results = await tab.evaluate(
          async ({ api, token, key }) => {
            const call = async (path: string, credential: string, init: RequestInit = {}) => {
              try {
                const response = await fetch(`${api}${path}`, {
                  ...init,
                  headers: {
                    authorization: `Bearer ${credential}`,
                    'content-type': 'application/json',
                    'idempotency-key': crypto.randomUUID(),
                  },
                });
                return {
                  status: response.status,
                  body: await response.json(),
                  rateLimit: response.headers.get('ratelimit-remaining'),
                };
              } catch (error) {
                return { failed: String(error) };
              }
            };
            return {
              read: await call('/v1/products', token),
              write: await call('/v1/products', token, {
                method: 'POST',
                body: JSON.stringify({
                  title: 'From Chromium',
                  variants: [{ sku: 'CHROMIUM-1', price: 700 }],
                }),
              }),
              key: await call('/v1/products', key),
              platform: await call('/v1/platform/stores', key),
            };
          },
          { api: app.url, token: accessToken, key: store.key },
        );
        expect(results.read).toMatchObject({
          status: 200,
          rateLimit: expect.stringMatching(/^\d+$/),
        });
        expect(results.write).toMatchObject({ status: 201, body: { title: 'From Chromium' } });
        expect(results.key).toMatchObject({ status: 403, body: { code: 'forbidden' } });
        expect(results.platform).toEqual({ failed: expect.stringContaining('Failed to fetch') });
      } finally {
        await browser.close();
        page.closeAllConnections();
        await new Promise((resolve) => page.close(resolve));
      }
    },
  );
});
