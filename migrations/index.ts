import type { MigrationClass } from '../src/database/migration-runner';
import { CreatePlatform1764000000000 } from './platform/1764000000000-create-platform';
import { CredentialChecks1764100000000 } from './platform/1764100000000-credential-checks';
import { CreateWebhooks1764200000000 } from './platform/1764200000000-create-webhooks';
import { RateLimitOverrides1764300000000 } from './platform/1764300000000-rate-limit-overrides';
import { CreateOauth1764400000000 } from './platform/1764400000000-create-oauth';
import { CachedKeyCheck1764500000000 } from './platform/1764500000000-cached-key-check';
import { SyncAgent1764700000000 } from './platform/1764700000000-sync-agent';
import { CreateCatalog1764000000000 } from './store/1764000000000-create-catalog';
import { CreateCommerce1764100000000 } from './store/1764100000000-create-commerce';
import { CreateSync1764600000000 } from './store/1764600000000-create-sync';
import { OrderActionDetails1764800000000 } from './store/1764800000000-order-action-details';
import { SyncConflictsByResource1764860000000 } from './store/1764860000000-sync-conflicts-by-resource';

/** Platform migrations, oldest first; they name the `platform` schema explicitly. */
export const platformMigrations: readonly MigrationClass[] = [
  CreatePlatform1764000000000,
  CredentialChecks1764100000000,
  CreateWebhooks1764200000000,
  RateLimitOverrides1764300000000,
  CreateOauth1764400000000,
  CachedKeyCheck1764500000000,
  SyncAgent1764700000000,
];

/** Store migrations, oldest first; each runs inside one store's schema. */
export const storeMigrations: readonly MigrationClass[] = [
  CreateCatalog1764000000000,
  CreateCommerce1764100000000,
  CreateSync1764600000000,
  OrderActionDetails1764800000000,
  SyncConflictsByResource1764860000000,
];
