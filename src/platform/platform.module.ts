import { Module } from '@nestjs/common';
import { ThrottlingModule } from '../throttling/throttling.module';
import { ApiKeysService } from './api-keys.service';
import { PlatformStoresController } from './platform-stores.controller';
import { StaffService } from './staff.service';
import { StoresService } from './stores.service';

@Module({
  imports: [ThrottlingModule],
  controllers: [PlatformStoresController],
  providers: [StoresService, ApiKeysService, StaffService],
  exports: [StoresService, ApiKeysService, StaffService],
})
export class PlatformModule {}
