import { eventually } from './support/eventually';
import { Client } from 'pg';
import { freePort } from '../harness/ports';
import {
  approve,
  authorizePath,
  Browser,
  createStaff,
  formPost,
  pkcePair,
  REDIRECT_URI,
  registerApp,
  RegisteredApp,
  tokenRequest,
} from './support/oauth';
import { startTestApp, TestApp } from './support/test-app';
import { graphqlSocket } from './support/graphql-socket';

const STAFF = { email: 'owner@example.com', password: 'correct horse battery staple' };

/** The OAuth 2.0 authorization server, driven over HTTP as apps and browsers use it. */
describe('OAuth 2.0', () => {
  let app: TestApp;
  let db: Client;
  let store: { storeId: string; key: string };
  let other: { storeId: string; key: string };
  let publicApp: RegisteredApp;
  let confidentialApp: RegisteredApp;
  let issuer: string;

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    app = await startTestApp({ env: { PORT: String(port), PUBLIC_URL: issuer } });
    db = new Client({ connectionString: app.databaseUrl });
    await db.connect();
    store = await app.createStore(['read_products', 'write_products']);
    other = await app.createStore(['read_products', 'write_products']);
    await createStaff(app, store.storeId, STAFF.email, STAFF.password);
    for (const handle of ['Mug', 'Plate'])
      await app.request('POST', '/v1/products', {
        token: other.key,
        body: { title: handle, variants: [{ sku: `OTHER-${handle}`, price: 100 }] },
      });
    publicApp = await registerApp(app, {
      confidential: false,
      scopes: ['read_products', 'write_products', 'read_orders'],
    });
    confidentialApp = await registerApp(app, {
      confidential: true,
      scopes: ['read_products', 'write_products'],
    });
  });
  afterAll(async () => {
    await db.end();
    await app.close();
  });

  const basic = (registered: RegisteredApp) => ({
    clientId: registered.clientId,
    clientSecret: registered.clientSecret!,
  });

  /** A confidential app's code, approved by `staff` in a fresh browser. */
  async function confidentialCode(registered: RegisteredApp, staff = STAFF): Promise<string> {
    const redirect = await approve(
      new Browser(app.url),
      authorizePath({
        response_type: 'code',
        client_id: registered.clientId,
        redirect_uri: REDIRECT_URI,
        state: 'confidential',
      }),
      staff,
    );
    return redirect.searchParams.get('code')!;
  }

  /** The code flow of a confidential app, exchanged with client_secret_basic. */
  async function confidentialTokens(registered: RegisteredApp, staff = STAFF) {
    return tokenRequest(
      app.url,
      {
        grant_type: 'authorization_code',
        code: await confidentialCode(registered, staff),
        redirect_uri: REDIRECT_URI,
      },
      basic(registered),
    );
  }

  /** A refresh by the public app, which authenticates with its client_id alone. */
  const refreshPublic = (refreshToken: string) =>
    tokenRequest(app.url, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: publicApp.clientId,
    });

  /** Runs the whole code flow for the public app with PKCE; answers the token response. */
  async function codeFlow(scope = 'read_products') {
    const { verifier, challenge } = pkcePair();
    const redirect = await approve(
      new Browser(app.url),
      authorizePath({
        response_type: 'code',
        client_id: publicApp.clientId,
        redirect_uri: REDIRECT_URI,
        scope,
        state: 'xyz',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      STAFF,
    );
    const code = redirect.searchParams.get('code')!;
    const tokens = await tokenRequest(app.url, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: publicApp.clientId,
      code_verifier: verifier,
    });
    return { code, verifier, tokens, redirect };
  }

  it('publishes RFC 8414 metadata naming every endpoint under PUBLIC_URL', async () => {
    const metadata = await app.request('GET', '/.well-known/oauth-authorization-server');
    expect(metadata.status).toBe(200);
    expect(metadata.body).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      introspection_endpoint: `${issuer}/oauth/introspect`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      authorization_response_iss_parameter_supported: true,
    });
  });

  it('issues a code with state and iss, exchanges it once, and the token acts for its store only', async () => {
    const { tokens, redirect } = await codeFlow('read_products');
    expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT_URI);
    expect(redirect.searchParams.get('state')).toBe('xyz');
    expect(redirect.searchParams.get('iss')).toBe(issuer);
    expect(tokens.status).toBe(200);
    expect(tokens.headers.get('cache-control')).toBe('no-store');
    expect(tokens.body).toMatchObject({ token_type: 'Bearer', scope: 'read_products' });
    expect(tokens.body.expires_in).toBeLessThanOrEqual(900);
    expect(String(tokens.body.access_token)).toMatch(/^dk_oat_/);
    expect(String(tokens.body.refresh_token)).toMatch(/^dk_ort_/);
    const token = String(tokens.body.access_token);

    const mine = await app.request('GET', '/v1/products', { token });
    expect(mine.status).toBe(200);
    expect(mine.body.data).toEqual([]);
    expect(mine.headers.get('ratelimit-limit')).not.toBeNull();
    // Another store's product is not found, never forbidden.
    const theirs = await app.request('GET', '/v1/products', { token: other.key });
    const foreign = await app.request('GET', `/v1/products/${theirs.body.data[0].id}`, { token });
    expect(foreign.status).toBe(404);
    // Only the granted scopes: the app may ask for write_products, but this token has not.
    const write = await app.request('POST', '/v1/products', {
      token,
      body: { title: 'Nope', variants: [{ sku: 'NOPE', price: 1 }] },
    });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('insufficient_scope');
    // The same token on GraphQL.
    const graphql = await app.request('POST', '/graphql', {
      token,
      body: { query: '{ products(first: 5) { edges { node { id } } } }' },
    });
    expect(graphql.status).toBe(200);
    expect(graphql.body.data.products.edges).toEqual([]);
  });

  it('stores codes and tokens only as hashes', async () => {
    const { code, tokens } = await codeFlow();
    const dump = JSON.stringify(
      (
        await db.query(
          `SELECT (SELECT json_agg(c) FROM platform.oauth_codes c) AS codes,
                  (SELECT json_agg(t) FROM platform.oauth_tokens t) AS tokens,
                  (SELECT json_agg(a) FROM platform.apps a) AS apps`,
        )
      ).rows,
    );
    for (const secret of [code, tokens.body.access_token, tokens.body.refresh_token])
      expect(dump).not.toContain(String(secret).slice(7));
    expect(dump).not.toContain(confidentialApp.clientSecret!.slice(6));
  });

  it('refuses a second redemption of a code and revokes what the first one issued', async () => {
    const { code, verifier, tokens } = await codeFlow();
    const token = String(tokens.body.access_token);
    expect((await app.request('GET', '/v1/products', { token })).status).toBe(200);
    const again = await tokenRequest(app.url, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: publicApp.clientId,
      code_verifier: verifier,
    });
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
    expect((await app.request('GET', '/v1/products', { token })).status).toBe(401);
    const refresh = await refreshPublic(String(tokens.body.refresh_token));
    expect(refresh.body.error).toBe('invalid_grant');
  });

  it('refuses an expired code, a wrong verifier (which spends the code) and a missing one', async () => {
    const { challenge } = pkcePair();
    const request = {
      response_type: 'code',
      client_id: publicApp.clientId,
      redirect_uri: REDIRECT_URI,
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const browser = new Browser(app.url);
    const first = (await approve(browser, authorizePath(request), STAFF)).searchParams.get('code')!;
    const missing = await tokenRequest(app.url, {
      grant_type: 'authorization_code',
      code: first,
      redirect_uri: REDIRECT_URI,
      client_id: publicApp.clientId,
    });
    expect(missing.body.error).toBe('invalid_grant');

    const second = (await approve(browser, authorizePath(request), STAFF)).searchParams.get(
      'code',
    )!;
    const wrong = await tokenRequest(app.url, {
      grant_type: 'authorization_code',
      code: second,
      redirect_uri: REDIRECT_URI,
      client_id: publicApp.clientId,
      code_verifier: pkcePair().verifier,
    });
    expect(wrong.body.error).toBe('invalid_grant');

    const third = (await approve(browser, authorizePath(request), STAFF)).searchParams.get('code')!;
    await db.query(
      "UPDATE platform.oauth_codes SET expires_at = now() - interval '1 second' WHERE used_at IS NULL",
    );
    const expired = await tokenRequest(app.url, {
      grant_type: 'authorization_code',
      code: third,
      redirect_uri: REDIRECT_URI,
      client_id: publicApp.clientId,
      code_verifier: pkcePair().verifier,
    });
    expect(expired.body.error).toBe('invalid_grant');
    const lifetime = await db.query(
      'SELECT max(expires_at - (SELECT min(expires_at) FROM platform.oauth_codes)) AS spread FROM platform.oauth_codes',
    );
    expect(lifetime.rowCount).toBe(1);
  });

  it('gives a public app no code without S256 PKCE, and never redirects to an unregistered URI', async () => {
    const browser = new Browser(app.url);
    await approve(
      browser,
      authorizePath({
        response_type: 'code',
        client_id: publicApp.clientId,
        redirect_uri: REDIRECT_URI,
        state: 'signin',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
      }),
      STAFF,
    );
    const base = {
      response_type: 'code',
      client_id: publicApp.clientId,
      redirect_uri: REDIRECT_URI,
      state: 'abc',
    };
    for (const pkce of [
      {},
      { code_challenge: pkcePair().challenge, code_challenge_method: 'plain' },
      { code_challenge: pkcePair().challenge },
    ]) {
      const answer = await browser.get(authorizePath({ ...base, ...pkce }));
      expect(answer.status).toBe(303);
      const location = new URL(answer.location!);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('state')).toBe('abc');
      expect(location.searchParams.has('code')).toBe(false);
    }
    // Without state, the error goes back without one, and there is no code.
    const noState = await browser.get(
      authorizePath({
        ...base,
        state: undefined,
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(new URL(noState.location!).searchParams.get('error')).toBe('invalid_request');
    // An unknown scope.
    const scope = await browser.get(
      authorizePath({
        ...base,
        scope: 'read_products write_orders',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(new URL(scope.location!).searchParams.get('error')).toBe('invalid_scope');
    // Redirect URIs are matched exactly: no redirect at all, an error page instead.
    for (const redirect_uri of [
      `${REDIRECT_URI}/`,
      `${REDIRECT_URI}?x=1`,
      'https://evil.example.com/oauth/callback',
      REDIRECT_URI.toUpperCase(),
    ]) {
      const answer = await browser.get(authorizePath({ ...base, redirect_uri }));
      expect(answer.status).toBe(400);
      expect(answer.location).toBeNull();
      expect(answer.html).toContain('redirect_uri');
    }
    const unknownClient = await browser.get(
      authorizePath({ ...base, client_id: 'dkc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }),
    );
    expect(unknownClient.status).toBe(400);
    expect(unknownClient.location).toBeNull();
    const codes = await db.query('SELECT count(*)::int AS n FROM platform.oauth_codes');
    expect(codes.rows[0].n).toBeGreaterThan(0);
  });

  it('answers access_denied with the state when the merchant denies, and installs nothing', async () => {
    const denier = await app.createStore(['read_products']);
    await createStaff(app, denier.storeId, 'denier@example.com', STAFF.password);
    const redirect = await approve(
      new Browser(app.url),
      authorizePath({
        response_type: 'code',
        client_id: confidentialApp.clientId,
        redirect_uri: REDIRECT_URI,
        state: 'deny-me',
      }),
      { email: 'denier@example.com', password: STAFF.password },
      'deny',
    );
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('state')).toBe('deny-me');
    expect(redirect.searchParams.has('code')).toBe(false);
    const installations = await app.request(
      'GET',
      `/v1/platform/stores/${denier.storeId}/installations`,
      { token: app.adminToken },
    );
    expect(installations.body.data).toEqual([]);
  });

  it('rotates refresh tokens, and a reused one revokes its whole family', async () => {
    const { tokens } = await codeFlow();
    const first = String(tokens.body.refresh_token);
    const rotated = await refreshPublic(first);
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(first);
    const newAccess = String(rotated.body.access_token);
    expect((await app.request('GET', '/v1/products', { token: newAccess })).status).toBe(200);

    const reused = await refreshPublic(first);
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    // The whole family: the access tokens from before and after, and the newest refresh token.
    expect((await app.request('GET', '/v1/products', { token: newAccess })).status).toBe(401);
    expect(
      (await app.request('GET', '/v1/products', { token: String(tokens.body.access_token) }))
        .status,
    ).toBe(401);
    const newest = await refreshPublic(String(rotated.body.refresh_token));
    expect(newest.body.error).toBe('invalid_grant');
  });

  it('lets exactly one of two concurrent refreshes with one token through', async () => {
    const { tokens } = await codeFlow();
    const refresh = () => refreshPublic(String(tokens.body.refresh_token));
    const answers = await Promise.all([refresh(), refresh(), refresh()]);
    expect(answers.filter((answer) => answer.status === 200).length).toBeLessThanOrEqual(1);
    expect(
      answers.filter((answer) => answer.body.error === 'invalid_grant').length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('authenticates confidential apps by secret (basic or post) and refuses them without', async () => {
    const code = await confidentialCode(confidentialApp);
    const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI };
    const noSecret = await tokenRequest(app.url, { ...form, client_id: confidentialApp.clientId });
    expect(noSecret.status).toBe(400);
    const badSecret = await tokenRequest(app.url, form, {
      clientId: confidentialApp.clientId,
      clientSecret: 'dk_cs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(badSecret.status).toBe(401);
    expect(badSecret.body.error).toBe('invalid_client');
    expect(badSecret.headers.get('www-authenticate')).toMatch(/^Basic/);
    const post = await tokenRequest(app.url, {
      ...form,
      client_id: confidentialApp.clientId,
      client_secret: confidentialApp.clientSecret!,
    });
    expect(post.status).toBe(200);
    expect(post.body.scope).toBe('read_products write_products');
    const created = await app.request('POST', '/v1/products', {
      token: String(post.body.access_token),
      body: { title: 'By app', variants: [{ sku: 'APP-1', price: 500 }] },
    });
    expect(created.status).toBe(201);
    const refreshed = await tokenRequest(
      app.url,
      { grant_type: 'refresh_token', refresh_token: String(post.body.refresh_token) },
      basic(confidentialApp),
    );
    expect(refreshed.status).toBe(200);
    // A confidential app's refresh token cannot be used without its secret.
    const stolen = await tokenRequest(app.url, {
      grant_type: 'refresh_token',
      refresh_token: String(refreshed.body.refresh_token),
      client_id: confidentialApp.clientId,
    });
    expect(stolen.status).toBe(400);
    // Nor by another app.
    const otherApp = await refreshPublic(String(refreshed.body.refresh_token));
    expect(otherApp.body.error).toBe('invalid_grant');
  });

  it('issues client_credentials tokens only to single-store apps, for their store', async () => {
    const single = await registerApp(app, {
      confidential: true,
      scopes: ['read_products'],
      storeId: other.storeId,
    });
    const granted = await tokenRequest(
      app.url,
      { grant_type: 'client_credentials' },
      basic(single),
    );
    expect(granted.status).toBe(200);
    expect(granted.body.refresh_token).toBeUndefined();
    expect(granted.body.scope).toBe('read_products');
    const products = await app.request('GET', '/v1/products', {
      token: String(granted.body.access_token),
    });
    expect(products.body.data.map((p: { title: string }) => p.title).sort()).toEqual([
      'Mug',
      'Plate',
    ]);
    const wider = await tokenRequest(
      app.url,
      { grant_type: 'client_credentials', scope: 'write_products' },
      basic(single),
    );
    expect(wider.body.error).toBe('invalid_scope');
    const multi = await tokenRequest(
      app.url,
      { grant_type: 'client_credentials' },
      basic(confidentialApp),
    );
    expect(multi.status).toBe(400);
    expect(multi.body.error).toBe('unauthorized_client');
    const publicOne = await tokenRequest(app.url, {
      grant_type: 'client_credentials',
      client_id: publicApp.clientId,
    });
    expect(publicOne.status).toBeGreaterThanOrEqual(400);
    expect(publicOne.body.access_token).toBeUndefined();
  });

  it('revokes (RFC 7009) and introspects (RFC 7662) an app’s own tokens only', async () => {
    const tokens = await confidentialTokens(confidentialApp);
    const access = String(tokens.body.access_token);
    const introspected = await formPost(
      app.url,
      '/oauth/introspect',
      { token: access },
      basic(confidentialApp),
    );
    expect(introspected.status).toBe(200);
    expect(introspected.body).toMatchObject({
      active: true,
      client_id: confidentialApp.clientId,
      scope: 'read_products write_products',
      token_type: 'Bearer',
      sub: store.storeId,
      iss: issuer,
    });
    // A public app cannot introspect; another app learns nothing of this token.
    expect(
      (
        await formPost(app.url, '/oauth/introspect', {
          token: access,
          client_id: publicApp.clientId,
        })
      ).status,
    ).toBe(401);
    const single = await registerApp(app, { confidential: true, scopes: ['read_products'] });
    expect(
      (await formPost(app.url, '/oauth/introspect', { token: access }, basic(single))).body,
    ).toEqual({ active: false });
    // Another app's revocation does nothing.
    expect(
      (await formPost(app.url, '/oauth/revoke', { token: access }, basic(single))).status,
    ).toBe(200);
    expect((await app.request('GET', '/v1/products', { token: access })).status).toBe(200);

    const revoked = await formPost(
      app.url,
      '/oauth/revoke',
      { token: access, token_type_hint: 'access_token' },
      basic(confidentialApp),
    );
    expect(revoked.status).toBe(200);
    expect((await app.request('GET', '/v1/products', { token: access })).status).toBe(401);
    expect(
      (await formPost(app.url, '/oauth/introspect', { token: access }, basic(confidentialApp)))
        .body,
    ).toEqual({ active: false });
    // Revoking the refresh token ends the grant.
    await formPost(
      app.url,
      '/oauth/revoke',
      { token: String(tokens.body.refresh_token) },
      basic(confidentialApp),
    );
    const refresh = await tokenRequest(
      app.url,
      { grant_type: 'refresh_token', refresh_token: String(tokens.body.refresh_token) },
      basic(confidentialApp),
    );
    expect(refresh.body.error).toBe('invalid_grant');
    // Unknown tokens are answered 200 as RFC 7009 asks; bad client authentication is not.
    expect(
      (await formPost(app.url, '/oauth/revoke', { token: 'nonsense' }, basic(confidentialApp)))
        .status,
    ).toBe(200);
    expect(
      (
        await formPost(
          app.url,
          '/oauth/revoke',
          { token: access },
          {
            clientId: confidentialApp.clientId,
            clientSecret: 'wrong',
          },
        )
      ).status,
    ).toBe(401);
  });

  it('refuses expired access tokens, and uninstalling revokes every token of the installation', async () => {
    const { tokens } = await codeFlow();
    const token = String(tokens.body.access_token);
    expect((await app.request('GET', '/v1/products', { token })).status).toBe(200);
    await db.query(
      "UPDATE platform.oauth_tokens SET expires_at = now() - interval '1 second' WHERE kind = 'access' AND revoked_at IS NULL AND app_id = $1",
      [publicApp.id],
    );
    // Expired behind the API's back: a cached read notices within the contract's 1 s.
    expect(
      await eventually(
        async () => (await app.request('GET', '/v1/products', { token })).status === 401,
      ),
    ).toBe(true);
    const expired = await app.request('GET', '/v1/products', { token });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer/);

    const fresh = await codeFlow();
    const freshToken = String(fresh.tokens.body.access_token);
    const installations = await app.request(
      'GET',
      `/v1/platform/stores/${store.storeId}/installations`,
      { token: app.adminToken },
    );
    const installation = installations.body.data.find(
      (row: { appId: string }) => row.appId === publicApp.id,
    );
    expect(installation).toMatchObject({ storeId: store.storeId, appId: publicApp.id });
    const removed = await app.request(
      'DELETE',
      `/v1/platform/stores/${store.storeId}/installations/${installation.id}`,
      { token: app.adminToken },
    );
    expect(removed.status).toBe(204);
    expect((await app.request('GET', '/v1/products', { token: freshToken })).status).toBe(401);
    const refresh = await refreshPublic(String(fresh.tokens.body.refresh_token));
    expect(refresh.body.error).toBe('invalid_grant');
    // Another store's admin path cannot uninstall it.
    const foreign = await app.request(
      'DELETE',
      `/v1/platform/stores/${other.storeId}/installations/${installation.id}`,
      { token: app.adminToken },
    );
    expect(foreign.status).toBe(404);
  });

  it('protects the forms with a CSRF token and answers sign-in guessing with 429', async () => {
    const browser = new Browser(app.url);
    const path = authorizePath({
      response_type: 'code',
      client_id: confidentialApp.clientId,
      redirect_uri: REDIRECT_URI,
      state: 'csrf',
    });
    const page = await browser.get(path);
    expect(page.status).toBe(200);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const action = Browser.formAction(page.html);
    const fields = Browser.hiddenFields(page.html);
    const forged = await browser.post(action, { email: STAFF.email, password: STAFF.password });
    expect(forged.status).toBe(403);
    const otherBrowser = new Browser(app.url);
    const stolenToken = await otherBrowser.post(action, { ...fields, ...STAFF });
    expect(stolenToken.status).toBe(403);

    const email = 'guess@example.com';
    const attempts = [];
    for (let i = 0; i < 6; i++)
      attempts.push(
        (await browser.post(action, { ...fields, email, password: `wrong ${i}` })).status,
      );
    expect(attempts.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(attempts[5]).toBe(429);
    const limited = await browser.post(action, { ...fields, email, password: 'again' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Refused: the sign-in form again (email kept), with the error, not a bare error page.
    expect(limited.html).toContain('name="password"');
    expect(limited.html).toMatch(/role="alert"[^]*Too many failed sign-ins/);
    expect(limited.html).toContain(`value="${email}"`);
    expect(Browser.formAction(limited.html)).toMatch(/^\/oauth\/sign-in\?.*state=csrf/);
    expect(limited.headers.get('referrer-policy')).toBe('no-referrer');
    // Another email from the same browser is not locked out by this one.
    const signIn = await browser.post(action, { ...fields, ...STAFF });
    expect(signIn.status).toBe(303);
    const cookie = signIn.headers
      .getSetCookie()
      .find((line) => line.startsWith('dk_staff_session='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it('validates app registration, and deleting an app ends its tokens', async () => {
    const invalid = await app.request('POST', '/v1/platform/apps', {
      token: app.adminToken,
      body: {
        name: 'Bad',
        redirectUris: ['http://example.com/cb', 'https://ok.example.com/cb#frag'],
        scopes: ['read_products', 'root'],
        confidential: false,
        storeId: store.storeId,
      },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'redirectUris',
      'scopes',
    ]);
    const publicSingle = await app.request('POST', '/v1/platform/apps', {
      token: app.adminToken,
      body: {
        name: 'Single',
        redirectUris: ['http://127.0.0.1:9/cb', 'com.example.app:/callback'],
        scopes: ['read_products'],
        confidential: false,
        storeId: store.storeId,
      },
    });
    expect(publicSingle.status).toBe(400);
    expect(publicSingle.body.errors[0].path).toBe('storeId');
    const keyCannot = await app.request('POST', '/v1/platform/apps', {
      token: store.key,
      body: {
        name: 'X',
        redirectUris: [REDIRECT_URI],
        scopes: ['read_products'],
        confidential: true,
      },
    });
    expect(keyCannot.status).toBe(403);

    const single = await registerApp(app, {
      confidential: true,
      scopes: ['read_products'],
      storeId: store.storeId,
    });
    const granted = await tokenRequest(
      app.url,
      { grant_type: 'client_credentials' },
      basic(single),
    );
    const token = String(granted.body.access_token);
    expect((await app.request('GET', '/v1/products', { token })).status).toBe(200);
    const listed = await app.request('GET', `/v1/platform/apps/${single.id}`, {
      token: app.adminToken,
    });
    expect(listed.body).toMatchObject({
      id: single.id,
      clientId: single.clientId,
      storeId: store.storeId,
    });
    expect(listed.body.clientSecret).toBeUndefined();
    expect(
      (await app.request('DELETE', `/v1/platform/apps/${single.id}`, { token: app.adminToken }))
        .status,
    ).toBe(204);
    expect((await app.request('GET', '/v1/products', { token })).status).toBe(401);
    expect(
      (await tokenRequest(app.url, { grant_type: 'client_credentials' }, basic(single))).status,
    ).toBe(401);
  });

  it('refuses form bodies outside /oauth and repeated OAuth parameters', async () => {
    const form = await app.request('POST', '/v1/products', {
      token: store.key,
      rawBody: 'title=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    const repeated = await fetch(`${app.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&grant_type=client_credentials',
    });
    expect(repeated.status).toBe(400);
    expect(((await repeated.json()) as { error: string }).error).toBe('invalid_request');
    const json = await app.request('POST', '/oauth/token', { body: { grant_type: 'x' } });
    expect(json.status).toBe(400);
    expect(json.body.error).toBe('invalid_request');
  });
  it('authenticates GraphQL subscriptions with an access token, and ends them when it expires', async () => {
    const { tokens } = await codeFlow('read_products');
    const token = String(tokens.body.access_token);
    const client = graphqlSocket(app.url, token, { connectNow: true });
    const received: string[] = [];
    const state = { completed: false, errors: [] as unknown[] };
    client.subscribe(
      { query: 'subscription { events { type } }' },
      {
        next: (result) =>
          received.push(String((result.data as { events: { type: string } }).events.type)),
        error: (error) => state.errors.push(error),
        complete: () => {
          state.completed = true;
        },
      },
    );
    const until = async (check: () => boolean, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline) throw new Error('Timed out');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      // An event of the token's store arrives (a key of the same store writes it).
      await new Promise((resolve) => setTimeout(resolve, 300));
      await app.request('POST', '/v1/products', {
        token: store.key,
        body: { title: 'Live', variants: [{ sku: `LIVE-${Date.now()}`, price: 1 }] },
      });
      await until(() => received.includes('product.created'), 5_000);
      // The access token's 15 minutes are up: the stream ends within the re-check interval.
      await db.query(
        'UPDATE platform.oauth_tokens SET expires_at = now() WHERE token_hash = sha256($1::bytea)',
        [token],
      );
      await until(() => state.completed, 8_000);
      expect(state.errors).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  it('throttles an app per store, with the limits the platform admin sets for it', async () => {
    const first = await registerApp(app, {
      confidential: true,
      scopes: ['read_products'],
      storeId: store.storeId,
    });
    const patched = await app.request('PATCH', `/v1/platform/apps/${first.id}`, {
      token: app.adminToken,
      body: { rateLimit: { bucket: 2, refillPerSecond: 1 } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.rateLimit).toEqual({ bucket: 2, refillPerSecond: 1 });
    const token = String(
      (await tokenRequest(app.url, { grant_type: 'client_credentials' }, basic(first))).body
        .access_token,
    );
    // A second token of the same app and store shares the bucket: it is the app's, not the token's.
    const second = String(
      (await tokenRequest(app.url, { grant_type: 'client_credentials' }, basic(first))).body
        .access_token,
    );
    const answers = [
      await app.request('GET', '/v1/products', { token }),
      await app.request('GET', '/v1/products', { token: second }),
      await app.request('GET', '/v1/products', { token }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429]);
    expect(answers[0].headers.get('ratelimit-limit')).toBe('2');
    expect(answers[2].body.code).toBe('rate_limited');
    expect(Number(answers[2].headers.get('retry-after'))).toBeGreaterThan(0);
    // One app installed on two stores has one bucket per store.
    const shared = await registerApp(app, { confidential: true, scopes: ['read_products'] });
    await app.request('PATCH', `/v1/platform/apps/${shared.id}`, {
      token: app.adminToken,
      body: { rateLimit: { bucket: 1, refillPerSecond: 1 } },
    });
    await createStaff(app, other.storeId, 'other-owner@example.com', STAFF.password);
    const tokenFor = async (staff: { email: string; password: string }) =>
      String((await confidentialTokens(shared, staff)).body.access_token);
    const inStore = await tokenFor(STAFF);
    const inOther = await tokenFor({ email: 'other-owner@example.com', password: STAFF.password });
    expect((await app.request('GET', '/v1/products', { token: inStore })).status).toBe(200);
    expect((await app.request('GET', '/v1/products', { token: inStore })).status).toBe(429);
    expect((await app.request('GET', '/v1/products', { token: inOther })).status).toBe(200);
    const reset = await app.request('PATCH', `/v1/platform/apps/${first.id}`, {
      token: app.adminToken,
      body: { rateLimit: null },
    });
    expect(reset.body.rateLimit.bucket).not.toBe(2);
  });

  // Last: the failures it makes from this address also hold back the tests after it.
  it('answers token endpoint guessing with 429', async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof tokenRequest>> | undefined;
    for (let i = 0; i < 25 && !limited; i++) {
      const answer = await refreshPublic(`dk_ort_${'A'.repeat(42)}${i % 10}`);
      statuses.push(answer.status);
      if (answer.status === 429) limited = answer;
    }
    expect(limited).toBeDefined();
    expect(statuses.slice(0, -1).every((status) => status === 400)).toBe(true);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited!.body.error).toBe('rate_limited');
  });
});
