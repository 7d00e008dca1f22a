import { StoreHostsService } from './store-hosts.service';
import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { ApiKeyEntity } from './api-key.entity';
import { StaffEntity } from './staff.entity';
import { StoreDomainEntity, StoreEntity } from './store.entity';
import { RateLimitsModule } from '../throttling/rate-limits.module';
import { ApiKeysService } from './api-keys.service';
import { PlatformStoresController } from './platform-stores.controller';
import { StaffService } from './staff.service';
import { StoresService } from './stores.service';

@Module({
  imports: [
    DatabaseModule.forFeature([StoreEntity, StoreDomainEntity, ApiKeyEntity, StaffEntity]),
    RateLimitsModule,
  ],
  controllers: [PlatformStoresController],
  providers: [StoresService, StoreHostsService, ApiKeysService, StaffService],
  exports: [StoresService, StoreHostsService, ApiKeysService, StaffService],
})
export class PlatformModule {}
