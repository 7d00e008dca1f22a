import { ApiProperty } from '@nestjs/swagger';
import type { ProductEntity } from './product.entity';
import type { VariantEntity } from './variant.entity';

export class VariantResource {
  @ApiProperty({ example: 'var_01jw3e5m8c4t9h2k7q6r0v1x2y' })
  id: string;

  @ApiProperty()
  sku: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ type: 'integer', description: 'Minor units of the store currency' })
  price: number;

  @ApiProperty({ type: 'integer' })
  inventoryQuantity: number;

  @ApiProperty({ type: 'integer' })
  version: number;
}

export class ProductResource {
  @ApiProperty({ example: 'prod_01jw3e5m8c4t9h2k7q6r0v1x2y' })
  id: string;

  @ApiProperty()
  title: string;

  @ApiProperty()
  handle: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ enum: ['draft', 'active', 'archived'] })
  status: string;

  @ApiProperty({ type: [String] })
  tags: string[];

  @ApiProperty({ type: () => [VariantResource] })
  variants: VariantResource[];

  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

/** The v1 product as REST returns it; webhooks, events and sync reuse this very function. */
export function serializeProduct(
  product: ProductEntity,
  variants: readonly VariantEntity[],
): ProductResource {
  return {
    id: product.id,
    title: product.title,
    handle: product.handle,
    description: product.description,
    status: product.status,
    tags: product.tags,
    variants: [...variants].sort((a, b) => a.position - b.position).map(serializeVariant),
    version: product.version,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
}

export function serializeVariant(variant: VariantEntity): VariantResource {
  return {
    id: variant.id,
    sku: variant.sku,
    title: variant.title,
    price: variant.price,
    inventoryQuantity: variant.inventoryQuantity,
    version: variant.version,
  };
}
