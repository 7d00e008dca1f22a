import { Authenticator } from '../src/auth/authenticator';
import { CredentialRequest } from '../src/auth/credential-request';
import { SCOPES } from '../src/common/scopes';
import { STAFF_SESSION_STRATEGY } from '../src/oauth/staff-session.strategy';
import { authorizePath, Browser, REDIRECT_URI, registerApp } from './support/oauth';
import { startTestApp, TestApp } from './support/test-app';

const PASSWORD = 'correct horse battery staple';

/**
 * The hosted UI's credential: a staff session (opened by the OAuth sign-in), in its cookie, on a
 * store's host. No hosted page uses it yet, so the strategy is called as a page will call it.
 */
describe('Staff session strategy', () => {
  let app: TestApp;
  let authenticator: Authenticator;
  let owned: { storeId: string; handle: string };
  let staffed: { storeId: string; handle: string };
  let foreign: { storeId: string; handle: string };
  let domained: string;
  let secret: string;

  const staff = (storeId: string, role: 'owner' | 'staff') =>
    app.request('POST', `/v1/platform/stores/${storeId}/staff`, {
      token: app.adminToken,
      body: { email: 'merchant@example.com', password: PASSWORD, role },
    });
  /** A page's request on `host`, with the session cookie (`null`: no cookie). */
  const onHost = (host: string | undefined, cookie: string | null = secret) =>
    new CredentialRequest(
      undefined,
      cookie === null ? {} : { dk_staff_session: cookie },
      host,
      'req_staff_session_test',
    );
  const authenticate = (request: CredentialRequest) =>
    authenticator.authenticate(request, [STAFF_SESSION_STRATEGY]);

  beforeAll(async () => {
    app = await startTestApp();
    authenticator = app.running.app.get(Authenticator);
    const store = async () => {
      const handle = `shop-${Math.random().toString(36).slice(2, 8)}`;
      return { storeId: (await app.createStore(['read_products'], handle)).storeId, handle };
    };
    owned = await store();
    staffed = await store();
    foreign = await store();
    expect((await staff(owned.storeId, 'owner')).status).toBe(201);
    expect((await staff(staffed.storeId, 'staff')).status).toBe(201);
    const withDomain = await app.request('POST', '/v1/platform/stores', {
      token: app.adminToken,
      body: {
        name: 'Own domain',
        handle: 'own-domain',
        currency: 'EUR',
        hosting: 'hosted',
        domains: ['shop.example.com'],
      },
    });
    expect(withDomain.status).toBe(201);
    domained = withDomain.body.id;
    expect((await staff(domained, 'owner')).status).toBe(201);

    // A real session, from the sign-in form of /oauth/authorize.
    const client = await registerApp(app, { confidential: true, scopes: ['read_products'] });
    const browser = new Browser(app.url);
    const page = await browser.get(
      authorizePath({
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: REDIRECT_URI,
        state: 'staff-session',
      }),
    );
    expect(page.status).toBe(200);
    const signedIn = await browser.post(Browser.formAction(page.html), {
      ...Browser.hiddenFields(page.html),
      email: 'merchant@example.com',
      password: PASSWORD,
    });
    expect(signedIn.status).toBe(303);
    secret = browser.cookie('dk_staff_session')!;
    expect(secret).toMatch(/^dk_ss_/);
  });
  afterAll(() => app.close());

  it('acts as the staff account of the store the host names, with its role’s scopes', async () => {
    const owner = await authenticate(onHost(`${owned.handle}.localhost:3000`));
    expect(owner.actor.type).toBe('staff');
    expect(owner.actor.id).toMatch(/^staff_/);
    expect(owner.storeId).toBe(owned.storeId);
    expect(owner.requestId).toBe('req_staff_session_test');
    expect([...owner.scopes].sort()).toEqual([...SCOPES].sort());

    const member = await authenticate(onHost(`${staffed.handle}.localhost`));
    expect(member.storeId).toBe(staffed.storeId);
    expect(member.actor.id).not.toBe(owner.actor.id);
    expect(member.hasScope('write_products')).toBe(true);
    expect(member.hasScope('write_webhooks')).toBe(false);
    expect(member.hasScope('sync')).toBe(false);
  });

  it('opens nothing on the host of a store where the session holds no account', async () => {
    await expect(authenticate(onHost(`${foreign.handle}.localhost`))).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    await expect(authenticate(onHost('nowhere.localhost'))).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    await expect(authenticate(onHost(`${owned.handle}.example.org`))).rejects.toMatchObject({
      code: 'unauthenticated',
    });
  });

  it('opens nothing without the cookie, with a made-up one, or without a host', async () => {
    const host = `${owned.handle}.localhost`;
    for (const request of [
      onHost(host, null),
      onHost(host, `dk_ss_${'A'.repeat(43)}`),
      onHost(host, 'not a session'),
      onHost(undefined),
    ])
      await expect(authenticate(request)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('serves a store on its own domain too, on any port', async () => {
    const context = await authenticate(onHost('Shop.Example.com:8443'));
    expect(context.storeId).toBe(domained);
  });

  it('is not a credential of the API', async () => {
    const request = onHost(`${owned.handle}.localhost`);
    await expect(authenticator.authenticateApi(request)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    const api = await app.request('GET', '/v1/products', {
      token: null,
      headers: { cookie: `dk_staff_session=${secret}`, host: `${owned.handle}.localhost` },
    });
    expect(api.status).toBe(401);
  });
});
