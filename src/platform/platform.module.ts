import { Module } from '@nestjs/common';
import { RateLimitsModule } from '../throttling/rate-limits.module';
import { ApiKeysService } from './api-keys.service';
import { PlatformStoresController } from './platform-stores.controller';
import { StaffService } from './staff.service';
import { StoresService } from './stores.service';

@Module({
  imports: [RateLimitsModule],
  controllers: [PlatformStoresController],
  providers: [StoresService, ApiKeysService, StaffService],
  exports: [StoresService, ApiKeysService, StaffService],
})
export class PlatformModule {}
