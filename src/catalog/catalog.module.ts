import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { ProductEntity } from './product.entity';
import { VariantEntity } from './variant.entity';
import { ProductsController } from './products.controller';
import { ProductsService } from './products.service';

@Module({
  imports: [DatabaseModule.forFeature([ProductEntity, VariantEntity])],
  controllers: [ProductsController],
  providers: [ProductsService],
  exports: [ProductsService],
})
export class CatalogModule {}
