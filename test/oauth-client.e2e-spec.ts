import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import * as oauth from 'oauth4webapi';
import { chromium } from 'playwright-core';
import { freePort } from '../harness/ports';
import {
  approve,
  Browser,
  createStaff,
  pkcePair,
  registerApp,
  tokenRequest,
} from './support/oauth';
import { startTestApp, TestApp } from './support/test-app';

const CHROMIUM = '/usr/bin/chromium';
const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable)
  console.warn(
    `SKIPPED: no Chromium at ${CHROMIUM} (CI installs it); the OAuth sign-in and consent browser test did not run`,
  );

/** What an app's loopback redirect URI (RFC 8252 §7.3) received: one URL per callback. */
class CallbackServer {
  private readonly server: Server;
  private readonly received: URL[] = [];
  private readonly waiting: ((url: URL) => void)[] = [];
  private origin = '';

  constructor() {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', this.origin);
      // A browser also asks for /favicon.ico; only the callback counts.
      if (url.pathname !== '/callback') return void response.writeHead(404).end();
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><title>Signed in</title><p>You can close this window.</p>');
      const waiter = this.waiting.shift();
      if (waiter) waiter(url);
      else this.received.push(url);
    });
  }

  get redirectUri(): string {
    return `${this.origin}/callback`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next callback the app receives (or one already received and not yet taken). */
  next(timeoutMs = 15_000): Promise<URL> {
    const ready = this.received.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(deliver), 1);
        reject(new Error(`the callback server received nothing in ${timeoutMs} ms`));
      }, timeoutMs);
      const deliver = (url: URL) => {
        clearTimeout(timer);
        resolve(url);
      };
      this.waiting.push(deliver);
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The response, once its status is the expected one; if not, the failure shows the answer. */
async function answered(expected: number, request: Promise<Response>): Promise<Response> {
  const response = await request;
  if (response.status !== expected)
    throw new Error(
      `expected HTTP ${expected}, got ${response.status}` +
        ` (WWW-Authenticate: ${response.headers.get('www-authenticate')}): ${await response.text()}`,
    );
  return response;
}

/** The OAuth error (RFC 6749 §5.2) that oauth4webapi found in a token endpoint response. */
async function oauthError(
  processing: Promise<unknown>,
): Promise<{ error: string; status: number }> {
  const failure = await processing.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(failure instanceof oauth.ResponseBodyError))
    throw new Error(`expected an OAuth error response, got ${String(failure)}`);
  return { error: failure.error, status: failure.status };
}

/** `expires_in` of a 15-minute token: the whole seconds left, so 899 a moment after issue. */
const FIFTEEN_MINUTES = {
  asymmetricMatch: (seconds: unknown) =>
    typeof seconds === 'number' && seconds > 890 && seconds <= 900,
  toAsymmetricMatcher: () => 'a 15-minute lifetime (891 to 900 seconds)',
};

function expectRateLimitHeaders(headers: Headers): void {
  for (const name of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'])
    expect(headers.get(name)).toMatch(/^\d+$/);
}

/**
 * The OAuth 2.0 server as third-party clients meet it: a strict, certified client library that
 * refuses anything off-standard, and a real browser for the merchant's sign-in and consent.
 */
describe('OAuth 2.0 with real clients', () => {
  let app: TestApp;
  let issuer: string;
  const callbacks = new CallbackServer();

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    app = await startTestApp({ env: { PORT: String(port), PUBLIC_URL: issuer } });
    await callbacks.listen();
  });
  afterAll(async () => {
    await callbacks.close();
    await app?.close();
  });

  const productsWith = (token: string) => app.request('GET', '/v1/products', { token });

  it('a standards-strict client (oauth4webapi) discovers and uses the server as it is', async () => {
    // oauth4webapi refuses http:// endpoints unless told; the issuer is http on loopback here.
    const insecure = { [oauth.allowInsecureRequests]: true } as const;

    // Discovery (RFC 8414): the issuer in the document must be the one we asked for, exactly.
    const issuerUrl = new URL(issuer);
    const as = await oauth.processDiscoveryResponse(
      issuerUrl,
      await oauth.discoveryRequest(issuerUrl, { algorithm: 'oauth2', ...insecure }),
    );
    expect(as).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      introspection_endpoint: `${issuer}/oauth/introspect`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(as.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']),
    );
    expect(as.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'none']),
    );

    const store = await app.createStore(['read_products']);
    const staff = { email: 'strict-client@example.com', password: 'a strict client password' };
    await createStaff(app, store.storeId, staff.email, staff.password);
    const publicApp = await registerApp(app, {
      confidential: false,
      scopes: ['read_products', 'write_products'],
      redirectUris: [callbacks.redirectUri],
    });
    const client: oauth.Client = {
      client_id: publicApp.clientId,
      token_endpoint_auth_method: 'none',
    };

    // Authorization request with PKCE S256 and state, for fewer scopes than the app may ask.
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const authorizationUrl = new URL(as.authorization_endpoint!);
    authorizationUrl.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: callbacks.redirectUri,
      scope: 'read_products',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    }).toString();
    const redirect = await approve(
      new Browser(app.url),
      `${authorizationUrl.pathname}${authorizationUrl.search}`,
      staff,
    );
    expect(`${redirect.origin}${redirect.pathname}`).toBe(callbacks.redirectUri);
    // The browser follows the redirect to the app's loopback server.
    const delivered = callbacks.next();
    expect((await fetch(redirect)).status).toBe(200);
    const callback = await delivered;
    expect(Object.fromEntries(callback.searchParams)).toEqual({
      code: expect.stringMatching(/^dk_oac_/),
      state,
      iss: issuer,
    });
    const callbackParameters = oauth.validateAuthResponse(as, client, callback, state);

    // Code exchange with the verifier.
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await answered(
        200,
        oauth.authorizationCodeGrantRequest(
          as,
          client,
          oauth.None(),
          callbackParameters,
          callbacks.redirectUri,
          codeVerifier,
          insecure,
        ),
      ),
    );
    expect(tokens).toMatchObject({
      token_type: 'bearer',
      scope: 'read_products',
      expires_in: FIFTEEN_MINUTES,
      access_token: expect.stringMatching(/^dk_oat_/),
      refresh_token: expect.stringMatching(/^dk_ort_/),
    });

    // The access token acts for the store, within its scopes, under the API's rate limits.
    const products = await productsWith(tokens.access_token);
    expect(products.status).toBe(200);
    expect(products.body.data).toEqual([]);
    expectRateLimitHeaders(products.headers);
    const write = await app.request('POST', '/v1/products', {
      token: tokens.access_token,
      body: { title: 'Mug', variants: [{ sku: 'MUG', price: 100 }] },
    });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('insufficient_scope');

    // Refresh: a new pair, with the same scopes.
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await answered(
        200,
        oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure),
      ),
    );
    expect(refreshed).toMatchObject({
      token_type: 'bearer',
      scope: 'read_products',
      expires_in: FIFTEEN_MINUTES,
      access_token: expect.stringMatching(/^dk_oat_/),
      refresh_token: expect.stringMatching(/^dk_ort_/),
    });
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect((await productsWith(refreshed.access_token)).status).toBe(200);

    // The rotated refresh token presented again is reuse: refused, and the family revoked.
    const reuse = await oauthError(
      oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(
          as,
          client,
          oauth.None(),
          tokens.refresh_token!,
          insecure,
        ),
      ),
    );
    expect(reuse).toEqual({ error: 'invalid_grant', status: 400 });
    for (const token of [refreshed.access_token, tokens.access_token]) {
      const revoked = await productsWith(token);
      expect(revoked.status).toBe(401);
      expect(revoked.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const afterReuse = await oauthError(
      oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(
          as,
          client,
          oauth.None(),
          refreshed.refresh_token!,
          insecure,
        ),
      ),
    );
    expect(afterReuse).toEqual({ error: 'invalid_grant', status: 400 });

    // A confidential single-store app authenticating with client_secret_basic (RFC 6749 §2.3.1).
    const serviceApp = await registerApp(app, {
      confidential: true,
      scopes: ['read_products', 'read_orders'],
      storeId: store.storeId,
      redirectUris: [callbacks.redirectUri],
    });
    const service: oauth.Client = {
      client_id: serviceApp.clientId,
      token_endpoint_auth_method: 'client_secret_basic',
    };
    const serviceAuth = oauth.ClientSecretBasic(serviceApp.clientSecret!);
    const granted = await oauth.processClientCredentialsResponse(
      as,
      service,
      await answered(
        200,
        oauth.clientCredentialsGrantRequest(
          as,
          service,
          serviceAuth,
          { scope: 'read_products' },
          insecure,
        ),
      ),
    );
    expect(granted).toMatchObject({
      token_type: 'bearer',
      scope: 'read_products',
      expires_in: FIFTEEN_MINUTES,
      access_token: expect.stringMatching(/^dk_oat_/),
    });
    expect(granted.refresh_token).toBeUndefined();
    const serviceProducts = await productsWith(granted.access_token);
    expect(serviceProducts.status).toBe(200);
    expectRateLimitHeaders(serviceProducts.headers);

    // Introspection (RFC 7662) of its own token, then of another app's.
    const introspect = async (token: string) =>
      oauth.processIntrospectionResponse(
        as,
        service,
        await answered(200, oauth.introspectionRequest(as, service, serviceAuth, token, insecure)),
      );
    const introspection = await introspect(granted.access_token);
    expect(introspection).toMatchObject({
      active: true,
      scope: 'read_products',
      client_id: serviceApp.clientId,
      token_type: 'Bearer',
      sub: store.storeId,
      iss: issuer,
    });
    expect(introspection.exp! - introspection.iat!).toBe(900);
    expect(await introspect(refreshed.refresh_token!)).toEqual({ active: false });

    // Revocation (RFC 7009): 200, then the token is inactive and refused.
    await expect(
      oauth.processRevocationResponse(
        await answered(
          200,
          oauth.revocationRequest(as, service, serviceAuth, granted.access_token, insecure),
        ),
      ),
    ).resolves.toBeUndefined();
    expect(await introspect(granted.access_token)).toEqual({ active: false });
    expect((await productsWith(granted.access_token)).status).toBe(401);
  });

  (chromiumAvailable ? it : it.skip)('sign-in and consent in headless Chromium', async () => {
    const handle = `browser-${randomBytes(3).toString('hex')}`;
    const store = await app.createStore(['read_products'], handle);
    const storeName = (
      await app.request('GET', `/v1/platform/stores/${store.storeId}`, { token: app.adminToken })
    ).body.name;
    const staff = { email: 'browser-owner@example.com', password: 'the right browser password' };
    await createStaff(app, store.storeId, staff.email, staff.password);
    // A name that needs escaping, to see it shown as text.
    const appName = 'Stock & Sync <Pro>';
    const created = await app.request('POST', '/v1/platform/apps', {
      token: app.adminToken,
      body: {
        name: appName,
        redirectUris: [callbacks.redirectUri],
        scopes: ['read_products', 'write_products', 'read_orders'],
        confidential: false,
      },
    });
    expect(created.status).toBe(201);
    const clientId: string = created.body.clientId;
    const authorizeUrl = (state: string, challenge: string) =>
      `${app.url}/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: callbacks.redirectUri,
        scope: 'read_products write_products',
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      })}`;

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu'],
    });
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const denial = { state: randomBytes(16).toString('base64url'), pkce: pkcePair() };

      // No session: the sign-in form.
      const signIn = await page.goto(authorizeUrl(denial.state, denial.pkce.challenge));
      expect(signIn?.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toBe(`Sign in to continue to ${appName}`);

      // A wrong password: the form again, with the error, the email kept and no session.
      await page.fill('input[name="email"]', staff.email);
      await page.fill('input[name="password"]', 'not the password');
      const refused = page.waitForResponse(
        (response) => new URL(response.url()).pathname === '/oauth/sign-in',
      );
      await page.click('button[type="submit"]');
      expect((await refused).status()).toBe(401);
      await page.waitForURL((url) => url.pathname === '/oauth/sign-in');
      expect(await page.locator('[role="alert"]').textContent()).toBe(
        'The email or password is incorrect.',
      );
      expect(await page.locator('h1').textContent()).toBe(`Sign in to continue to ${appName}`);
      expect(await page.inputValue('input[name="email"]')).toBe(staff.email);
      expect(await page.inputValue('input[name="password"]')).toBe('');
      expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain(
        'dk_staff_session',
      );

      // The right password: redirected to the consent page.
      const consent = page.waitForResponse(
        (response) =>
          new URL(response.url()).pathname === '/oauth/authorize' &&
          response.request().method() === 'GET',
      );
      await page.fill('input[name="password"]', staff.password);
      await page.click('button[type="submit"]');
      const consentResponse = await consent;
      expect(consentResponse.status()).toBe(200);
      const consentHeaders = consentResponse.headers();
      expect(consentHeaders['x-frame-options']).toBe('DENY');
      expect(consentHeaders['content-security-policy']).toContain("frame-ancestors 'none'");
      await page.waitForURL((url) => url.pathname === '/oauth/authorize');
      expect(await page.locator('h1').textContent()).toBe(`${appName} wants access to your store`);
      expect(await page.locator('#scopes li').allTextContents()).toEqual([
        'See your products, variants and prices (read_products)',
        'Create, change and delete your products (write_products)',
      ]);
      expect(await page.locator('main').textContent()).toContain(`Store: ${storeName} (${handle})`);

      const cookies = await context.cookies();
      const session = cookies.find((cookie) => cookie.name === 'dk_staff_session');
      expect(session).toMatchObject({
        value: expect.stringMatching(/^dk_ss_/),
        path: '/oauth',
        httpOnly: true,
        sameSite: 'Lax',
      });
      expect(cookies.find((cookie) => cookie.name === 'dk_csrf')).toMatchObject({
        httpOnly: true,
        sameSite: 'Lax',
      });

      // Deny: the app is told access_denied, with its state and the issuer.
      let callback = callbacks.next();
      await page.click('button[value="deny"]');
      const denied = await callback;
      expect(Object.fromEntries(denied.searchParams)).toEqual({
        error: 'access_denied',
        error_description: 'The merchant denied the request.',
        state: denial.state,
        iss: issuer,
      });
      await page.waitForURL((url) => `${url.origin}${url.pathname}` === callbacks.redirectUri);
      const noInstallation = await app.request(
        'GET',
        `/v1/platform/stores/${store.storeId}/installations`,
        { token: app.adminToken },
      );
      expect(noInstallation.body.data).toEqual([]);

      // Again, with a new request: still signed in, so straight to consent; approve.
      const approval = { state: randomBytes(16).toString('base64url'), pkce: pkcePair() };
      const again = await page.goto(authorizeUrl(approval.state, approval.pkce.challenge));
      expect(again?.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toBe(`${appName} wants access to your store`);
      callback = callbacks.next();
      await page.click('button[value="approve"]');
      const approved = await callback;
      expect(Object.fromEntries(approved.searchParams)).toEqual({
        code: expect.stringMatching(/^dk_oac_/),
        state: approval.state,
        iss: issuer,
      });

      // The app exchanges the code with its verifier and uses the token.
      const tokens = await tokenRequest(app.url, {
        grant_type: 'authorization_code',
        code: approved.searchParams.get('code')!,
        redirect_uri: callbacks.redirectUri,
        client_id: clientId,
        code_verifier: approval.pkce.verifier,
      });
      expect(tokens.status).toBe(200);
      expect(tokens.body).toMatchObject({
        token_type: 'Bearer',
        scope: 'read_products write_products',
        expires_in: FIFTEEN_MINUTES,
      });
      const products = await productsWith(String(tokens.body.access_token));
      expect(products.status).toBe(200);
      expect(products.body.data).toEqual([]);
      expectRateLimitHeaders(products.headers);
      const installations = await app.request(
        'GET',
        `/v1/platform/stores/${store.storeId}/installations`,
        { token: app.adminToken },
      );
      expect(installations.body.data).toEqual([
        expect.objectContaining({
          appId: created.body.id,
          scopes: ['read_products', 'write_products'],
        }),
      ]);
    } finally {
      await browser.close();
    }
  });
});
