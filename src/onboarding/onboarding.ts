import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { SCOPES } from '../common/scopes';
import { ProductsService } from '../catalog/products.service';
import { RequestContext } from '../common/request-context';
import type { AppConfig } from '../config/config';
import { ApiKeysService } from '../platform/api-keys.service';
import { StaffService } from '../platform/staff.service';
import { StoresService } from '../platform/stores.service';
import { DEMO_PRODUCTS } from './demo-products';

/** The demo owner's sign-in; a reserved example domain, so no mail can reach anyone. */
const DEMO_OWNER_EMAIL = 'owner@demo.example.com';

/**
 * On a platform with no store yet, creates a demo store with a few products, a key holding every
 * scope and an owner account for the hosted admin, and prints how to reach the storefront, the
 * admin and the API. The secrets are also written under the data directory (development only)
 * since they are shown just once.
 */
export async function runOnboarding(
  app: INestApplicationContext,
  config: AppConfig,
  url: string,
  logger: Logger,
): Promise<void> {
  const platform = RequestContext.system(null, 'onboarding');
  const stores = app.get(StoresService);
  if (!(await stores.isEmpty(platform))) return;
  let store;
  try {
    store = await stores.create(platform, {
      name: 'Demo Store',
      handle: 'demo',
      currency: 'USD',
      hosting: 'hosted',
    });
  } catch (error) {
    // Another instance starting on the same empty database won the race: nothing to do here.
    logger.info({ error: String(error) }, 'demo store not created');
    return;
  }
  const demo = RequestContext.system(store.id, 'onboarding', SCOPES);
  const products = app.get(ProductsService);
  for (const product of DEMO_PRODUCTS) await products.create(demo, product);
  const { key } = await app
    .get(ApiKeysService)
    .create(platform, store.id, { name: 'Demo key', scopes: [...SCOPES], mode: 'test' });
  // Created as POST /v1/platform/stores/{id}/staff does; the password is generated, never fixed,
  // so a demo left running on a reachable port has no well-known credentials.
  const owner = { email: DEMO_OWNER_EMAIL, password: randomBytes(18).toString('base64url') };
  await app.get(StaffService).create(platform, store.id, { ...owner, role: 'owner' });
  const hostedUrl = `http://${store.handle}.localhost:${new URL(url).port || config.port}`;
  const publicUrl = config.publicUrl.startsWith(`http://localhost:${config.port}`)
    ? url.replace('127.0.0.1', 'localhost')
    : config.publicUrl;
  const message = [
    '',
    'Dukkadee is running with a demo store.',
    `  Store:                ${store.name} (${store.id}, handle "${store.handle}")`,
    `  API key (all scopes): ${key}`,
    `  Platform admin token: ${config.platformAdminToken}`,
    '',
    'Hosted pages:',
    `  Storefront:           ${hostedUrl}/`,
    `  Admin:                ${hostedUrl}/admin`,
    `  Owner email:          ${owner.email}`,
    `  Owner password:       ${owner.password}`,
    '',
    'Try it:',
    `  curl -H "Authorization: Bearer ${key}" ${publicUrl}/v1/products`,
    '',
  ].join('\n');
  console.log(message);
  if (!config.databaseUrl) {
    writeFileSync(join(config.dataDir, 'demo-credentials.txt'), `${message.trim()}\n`, {
      mode: 0o600,
    });
  }
}
