import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../harness/ports';
import { ServerProcess } from '../harness/server-process';
import { SCOPES } from '../src/common/scopes';
import { createTestDatabase } from './support/test-database';
import { WebhookReceiver } from './support/webhook-receiver';

/**
 * The promise of the outbox: the real server is killed with SIGKILL twice while orders are being
 * created; after the restart, every order that was answered 201 has its order.created delivered,
 * and any duplicate carries the same webhook-id and the same bytes.
 */
const root = join(__dirname, '..');
const adminToken = `dk_admin_${randomBytes(18).toString('base64url')}`;
const encryptionKey = randomBytes(32).toString('base64');
const dataDir = mkdtempSync(join(tmpdir(), 'dk-durability-'));

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let receiver: WebhookReceiver;
let server: ServerProcess | undefined;

beforeAll(async () => {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
    { cwd: root, stdio: 'inherit' },
  );
  database = await createTestDatabase();
  receiver = await WebhookReceiver.start();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
  await database?.drop();
});

async function startServer(): Promise<ServerProcess> {
  const port = await freePort();
  const started = ServerProcess.start({
    name: 'durability',
    script: 'dist/src/main.js',
    cwd: root,
    logFile: join(dataDir, 'server.log'),
    port,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      PLATFORM_ADMIN_TOKEN: adminToken,
      ENCRYPTION_KEY: encryptionKey,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_RETRY_SCHEDULE: '1,1,1,1,1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
  });
  await started.waitUntilReady('/health/ready');
  return started;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
type Json = any;

async function call(
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${server!.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Creates orders from `workers` concurrent loops until `until` resolves; returns the 201s. */
async function createOrdersUntil(
  key: string,
  variantId: string,
  until: Promise<unknown>,
): Promise<string[]> {
  const created: string[] = [];
  let stop = false;
  void until.then(() => (stop = true));
  const worker = async () => {
    while (!stop) {
      try {
        const response = await call('POST', '/v1/orders', key, {
          email: 'ann@example.com',
          lineItems: [{ variantId, quantity: 1 }],
        });
        if (response.status === 201) created.push(response.body.id);
      } catch {
        // The server died under this request: its outcome is unknown, so it is not counted.
        await sleep(20);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return created;
}

it('delivers order.created for every order answered 201, across two SIGKILLs', async () => {
  server = await startServer();
  const store = await call('POST', '/v1/platform/stores', adminToken, {
    name: 'Durable',
    handle: 'durable',
    currency: 'EUR',
    hosting: 'hosted',
  });
  const key = await call('POST', `/v1/platform/stores/${store.body.id}/api-keys`, adminToken, {
    name: 'test',
    scopes: [...SCOPES],
  });
  const token: string = key.body.key;
  const product = await call('POST', '/v1/products', token, {
    title: 'Mug',
    variants: [{ sku: 'MUG', price: 1200, inventoryQuantity: 1_000_000 }],
  });
  const variantId: string = product.body.variants[0].id;
  const subscription = await call('POST', '/v1/webhook-subscriptions', token, {
    url: `${receiver.url}/orders`,
    topics: ['order.created'],
  });
  expect(subscription.status).toBe(201);

  const created: string[] = [];
  for (let crash = 0; crash < 2; crash += 1) {
    const running = server;
    const killed = sleep(700 + crash * 300).then(() => running.kill());
    created.push(...(await createOrdersUntil(token, variantId, killed)));
    server = await startServer();
  }
  created.push(...(await createOrdersUntil(token, variantId, sleep(500))));
  expect(created.length).toBeGreaterThan(20);

  const delivered = () =>
    new Set(receiver.on('/orders').map((webhook) => JSON.parse(webhook.body).data.object.id));
  // In-flight attempts of a killed process come back once their 30 s lease has lapsed.
  await receiver.waitFor(() => created.every((id) => delivered().has(id)), 100_000);

  const bodiesById = new Map<string, Set<string>>();
  for (const webhook of receiver.on('/orders')) {
    const bodies = bodiesById.get(webhook.headers['webhook-id']) ?? new Set<string>();
    bodies.add(webhook.body);
    bodiesById.set(webhook.headers['webhook-id'], bodies);
  }
  for (const bodies of bodiesById.values()) expect(bodies.size).toBe(1);
}, 180_000);
