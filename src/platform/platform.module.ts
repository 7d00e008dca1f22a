import { StoreHostsService } from './store-hosts.service';
import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '../config/config';
import { LOGGER } from '../observability/logger';
import {
  LocalStoreHostChanges,
  RedisStoreHostChanges,
  StoreHostChanges,
} from './store-host-changes';
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
  providers: [
    StoresService,
    StoreHostsService,
    ApiKeysService,
    StaffService,
    {
      provide: StoreHostChanges,
      inject: [APP_CONFIG, LOGGER],
      useFactory: (config: AppConfig, logger: Logger): StoreHostChanges =>
        config.redisUrl
          ? new RedisStoreHostChanges(config.redisUrl, logger)
          : new LocalStoreHostChanges(),
    },
  ],
  exports: [StoresService, StoreHostsService, ApiKeysService, StaffService],
})
export class PlatformModule {}
