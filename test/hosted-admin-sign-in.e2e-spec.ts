import { itInChromium, launchChromium, portOf, seriousViolations } from './support/browser';
import { createHostedStore, HostedStoreFixture, PageClient, signedIn } from './support/hosted';
import { startTestApp, TestApp } from './support/test-app';

describe('hosted admin: sign-in, sessions and hosts', () => {
  let app: TestApp;
  let store: HostedStoreFixture;
  let other: HostedStoreFixture;

  beforeAll(async () => {
    app = await startTestApp();
    store = await createHostedStore(app);
    other = await createHostedStore(app);
  });
  afterAll(() => app.close());

  it('sends /admin without a session to the sign-in form', async () => {
    const client = new PageClient(app, store.host);
    const admin = await client.get('/admin');
    expect(admin.status).toBe(303);
    expect(admin.location).toBe('/admin/sign-in?next=%2Fadmin');
    const form = await client.get(admin.location!);
    expect(form.status).toBe(200);
    expect(form.html).toContain('<label for="field-email">Email');
    expect(form.html).toContain('<label for="field-password">Password');
    expect(form.html).toMatch(/<button type="submit">Sign in<\/button>/);
    expect(form.headers['content-security-policy']).toContain("script-src 'self'");
    expect(form.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('signs in with the right password only, with a host-only HttpOnly Lax cookie', async () => {
    const client = new PageClient(app, store.host);
    const wrong = await client.submit('/admin/sign-in', '/admin/sign-in', {
      email: store.owner.email,
      password: 'not the password at all',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('The email or password is incorrect.');
    expect(client.cookie('dk_staff_session')).toBeUndefined();

    const page = await client.get('/admin/sign-in');
    const { _csrf } = { _csrf: page.html.match(/name="_csrf" value="([^"]+)"/)![1] };
    const response = await app.running.app.inject({
      method: 'POST',
      url: '/admin/sign-in?next=%2Fadmin',
      headers: {
        host: store.host,
        cookie: `dk_csrf=${client.cookie('dk_csrf')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ _csrf, ...store.owner }).toString(),
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin');
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(
      /dk_staff_session=[^;]+; Max-Age=\d+; Path=\/admin; HttpOnly; SameSite=Lax/,
    );
    expect(setCookie).not.toMatch(/Domain=/i);
  });

  it('stops password guessing for an email after five failures, with the form and Retry-After', async () => {
    const client = new PageClient(app, store.host);
    const attempt = (password: string) =>
      client.submit('/admin/sign-in', '/admin/sign-in', { email: store.staff.email, password });
    const statuses: number[] = [];
    for (let tries = 0; tries < 5; tries++) statuses.push((await attempt(`guess ${tries}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    // Locked: even the right password opens nothing until the wait is over.
    const locked = await attempt(store.staff.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.html).toMatch(
      /role="alert"[^]*Too many failed sign-ins\. Try again in \d+ seconds\./,
    );
    expect(locked.html).toContain('<label for="field-password">Password');
    expect(client.cookie('dk_staff_session')).toBeUndefined();
    // Another account is not locked by the guesses at this one.
    expect((await signedIn(app, store, store.owner)).cookie('dk_staff_session')).toBeDefined();
  });

  it('opens the admin, and signs out', async () => {
    const client = await signedIn(app, store);
    const dashboard = await client.get('/admin');
    expect(dashboard.status).toBe(200);
    expect(dashboard.html).toContain('Sign out');
    const out = await client.submit('/admin', '/admin/sign-out', {});
    expect(out.status).toBe(303);
    expect((await client.get('/admin')).status).toBe(303);
  });

  it('never accepts a session on another store’s host', async () => {
    const client = await signedIn(app, store);
    const replayed = new PageClient(app, other.host);
    replayed.setCookie('dk_staff_session', client.cookie('dk_staff_session')!, '/admin');
    const answer = await replayed.get('/admin');
    expect(answer.status).toBe(303);
    expect(answer.location).toMatch(/^\/admin\/sign-in/);
  });

  it('refuses a form without its CSRF token and changes nothing', async () => {
    const client = await signedIn(app, store);
    const out = await client.post('/admin/sign-out', {});
    expect(out.status).toBe(403);
    expect(out.html).toContain('This form has expired');
    expect((await client.get('/admin')).status).toBe(200);
  });

  it('answers an HTML 404 on a host that names no store', async () => {
    const answer = await new PageClient(app, 'nobody-here.localhost').get('/admin/sign-in');
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
    expect(answer.html).toContain('There is no store at this address.');
  });

  itInChromium(
    'signs in and out in Chromium, with no serious accessibility violation',
    async () => {
      const browser = await launchChromium();
      try {
        const page = await (await browser.newContext()).newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        page.on('console', (message) => {
          if (/Content Security Policy|Refused to/.test(message.text()))
            errors.push(message.text());
        });
        const origin = `http://${store.handle}.localhost:${portOf(app.url)}`;
        await page.goto(`${origin}/admin`);
        expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
        expect(await seriousViolations(page)).toEqual([]);
        await page.getByLabel('Email').fill(store.owner.email);
        await page.getByLabel('Password').fill('wrong password, twelve+');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expect(page.getByRole('alert').textContent()).resolves.toContain('incorrect');
        await page.getByLabel('Password').fill(store.owner.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(`${origin}/admin`);
        expect(await seriousViolations(page)).toEqual([]);
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(/\/admin\/sign-in/);
        // The stylesheet and scripts loaded under the CSP, with nothing refused.
        expect(errors).toEqual([]);
        expect(
          await page.evaluate(() => typeof (window as unknown as { htmx?: object }).htmx),
        ).toBe('object');
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
