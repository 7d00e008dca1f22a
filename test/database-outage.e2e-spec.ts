import { randomBytes } from 'node:crypto';
import { startApplication, RunningApplication } from '../src/app/application';
import { loadConfig } from '../src/config/config';
import pino from 'pino';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Relay } from './support/relay';
import { createTestDatabase } from './support/test-database';

describe('database outage', () => {
  let running: RunningApplication;
  let relay: Relay;
  let dropDatabase: () => Promise<void>;

  beforeAll(async () => {
    const database = await createTestDatabase();
    dropDatabase = database.drop;
    const target = new URL(database.url);
    relay = new Relay(target, 5432);
    await relay.open();
    running = await startApplication(
      loadConfig({
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: relay.url(database.url),
        PLATFORM_ADMIN_TOKEN: randomBytes(16).toString('hex'),
        DATA_DIR: mkdtempSync(join(tmpdir(), 'dk-outage-')),
      }),
      { onboarding: false, logger: pino({ level: 'silent' }) },
    );
  });
  afterAll(async () => {
    await running.close();
    await relay.cut();
    await dropDatabase();
  });

  it('stays up, answering 503 problems while the database is gone, and recovers', async () => {
    expect((await fetch(`${running.url}/health/ready`)).status).toBe(200);
    const admin = { authorization: `Bearer ${running.config.platformAdminToken}` };
    expect((await fetch(`${running.url}/v1/platform/stores`, { headers: admin })).status).toBe(200);
    await relay.cut();
    const api = await fetch(`${running.url}/v1/platform/stores`, { headers: admin });
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBe('1');
    expect(await api.json()).toMatchObject({
      code: 'service_unavailable',
      requestId: api.headers.get('x-request-id'),
    });
    const live = await fetch(`${running.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${running.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ code: 'service_unavailable' });

    await relay.open();
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
      status = (await fetch(`${running.url}/health/ready`)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(200);
  });
});

describe('starting without a database', () => {
  it('listens, answers 503 until the database is reachable, and does not exit', async () => {
    const running = await startApplication(
      loadConfig({
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
        PLATFORM_ADMIN_TOKEN: randomBytes(16).toString('hex'),
        DATA_DIR: mkdtempSync(join(tmpdir(), 'dk-nodb-')),
      }),
      { onboarding: false, waitUntilReady: false, logger: pino({ level: 'silent' }) },
    );
    try {
      expect((await fetch(`${running.url}/health/live`)).status).toBe(200);
      expect((await fetch(`${running.url}/health/ready`)).status).toBe(503);
      const api = await fetch(`${running.url}/v1/products`);
      expect(api.status).toBe(503);
      expect(api.headers.get('retry-after')).toBe('1');
      expect(await api.json()).toMatchObject({ code: 'service_unavailable' });
    } finally {
      await running.close();
    }
  });
});
