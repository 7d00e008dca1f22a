import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { SCOPES } from '../common/scopes';
import { ProductsService } from '../catalog/products.service';
import { RequestContext } from '../common/request-context';
import type { AppConfig } from '../config/config';
import { ApiKeysService } from '../platform/api-keys.service';
import { StoresService } from '../platform/stores.service';
import { DEMO_PRODUCTS } from './demo-products';

/**
 * On a platform with no store yet, creates a demo store with a few products and a key holding
 * every scope, and prints how to call the API with it. The key is also written under the data
 * directory (development only) since it is shown just once.
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
