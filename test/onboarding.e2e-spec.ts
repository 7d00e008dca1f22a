import { PageClient } from './support/hosted';
import { startTestApp } from './support/test-app';

describe('first-run onboarding', () => {
  it('creates a demo store on an empty database and prints a key and a curl line that work', async () => {
    const printed: string[] = [];
    const log = jest
      .spyOn(console, 'log')
      .mockImplementation((message: string) => void printed.push(message));
    const app = await startTestApp({ onboarding: true });
    try {
      log.mockRestore();
      const output = printed.join('\n');
      const key = /API key \(all scopes\): (dk_test_\S+)/.exec(output)?.[1];
      expect(key).toBeDefined();
      expect(output).toContain(`Platform admin token: ${app.adminToken}`);
      const curl = /curl -H "Authorization: Bearer (\S+)" (\S+)/.exec(output);
      expect(curl?.[1]).toBe(key);
      const response = await fetch(curl![2], { headers: { authorization: `Bearer ${key}` } });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: { variants: unknown[] }[] };
      expect(body.data.length).toBeGreaterThanOrEqual(3);
      expect(body.data[0].variants.length).toBeGreaterThan(0);

      const stores = await app.request('GET', '/v1/platform/stores', { token: app.adminToken });
      expect(stores.body.data).toEqual([
        expect.objectContaining({ handle: 'demo', hosting: 'hosted' }),
      ]);

      const port = new URL(app.url).port;
      expect(output).toContain(`Storefront:           http://demo.localhost:${port}/`);
      expect(output).toContain(`Admin:                http://demo.localhost:${port}/admin`);
      const email = /Owner email: +(\S+)/.exec(output)?.[1];
      const password = /Owner password: +(\S+)/.exec(output)?.[1];
      expect(email).toBeDefined();
      expect(password!.length).toBeGreaterThanOrEqual(12);
      const owner = new PageClient(app, 'demo.localhost:3000');
      const signIn = await owner.submit('/admin/sign-in', '/admin/sign-in', {
        email: email!,
        password: password!,
      });
      expect(signIn.status).toBe(303);
      expect((await owner.get('/admin')).status).toBe(200);
    } finally {
      log.mockRestore();
      await app.close();
    }
  });

  it('does nothing in production', async () => {
    const app = await startTestApp({ onboarding: true, env: { NODE_ENV: 'production' } });
    try {
      const stores = await app.request('GET', '/v1/platform/stores', { token: app.adminToken });
      expect(stores.body.data).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
