import { CheckoutService } from './checkout.service';
import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { LineItemEntity, OrderEntity } from './order.entity';
import { CustomersModule } from '../customers/customers.module';
import { InventoryModule } from '../inventory/inventory.module';
import { PlatformModule } from '../platform/platform.module';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [
    DatabaseModule.forFeature([OrderEntity, LineItemEntity]),
    InventoryModule,
    CustomersModule,
    PlatformModule,
  ],
  controllers: [OrdersController],
  providers: [OrdersService, CheckoutService],
  exports: [OrdersService, CheckoutService],
})
export class OrdersModule {}
