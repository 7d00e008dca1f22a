import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { CustomersModule } from '../customers/customers.module';
import { InventoryModule } from '../inventory/inventory.module';
import { SyncChangesService } from './sync-changes.service';
import { SyncConflictRecords } from './sync-conflict-records';
import { SyncConflictsService } from './sync-conflicts.service';
import {
  CustomerSyncHandler,
  InventorySyncHandler,
  ProductSyncHandler,
  SyncHandlers,
} from './sync-handlers';
import { SyncLinks } from './sync-links';
import { SyncPoliciesService } from './sync-policies.service';
import { SyncPushService } from './sync-push.service';
import { SyncController } from './sync.controller';

/** Sync with self-hosted stores: the change feed, push with conflict handling, policies. */
@Module({
  imports: [CatalogModule, CustomersModule, InventoryModule],
  controllers: [SyncController],
  providers: [
    SyncChangesService,
    SyncPushService,
    SyncConflictsService,
    SyncPoliciesService,
    SyncConflictRecords,
    SyncLinks,
    SyncHandlers,
    ProductSyncHandler,
    CustomerSyncHandler,
    InventorySyncHandler,
  ],
  exports: [SyncChangesService, SyncLinks, SyncHandlers, SyncConflictsService],
})
export class SyncModule {}
