import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { CatalogReads } from './catalog-reads';
import { ProductEntity } from './product.entity';
import { VariantEntity } from './variant.entity';
import { ProductsController } from './products.controller';
import { ProductsService } from './products.service';

@Module({
  imports: [DatabaseModule.forFeature([ProductEntity, VariantEntity])],
  controllers: [ProductsController],
  providers: [ProductsService, CatalogReads],
  exports: [ProductsService, CatalogReads],
})
export class CatalogModule {}
