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

/** What the serializer reads of a product: an entity, or a row of product-rows.ts. */
export type ProductFields = Pick<
  ProductEntity,
  | 'id'
  | 'title'
  | 'handle'
  | 'description'
  | 'status'
  | 'tags'
  | 'version'
  | 'createdAt'
  | 'updatedAt'
>;

export type VariantFields = Pick<
  VariantEntity,
  'id' | 'sku' | 'title' | 'price' | 'inventoryQuantity' | 'version'
>;

/**
 * The v1 product as REST returns it; webhooks, events and sync reuse this very function.
 * `variants` come in position order (product-rows.ts reads them so).
 */
export function serializeProduct(
  product: ProductFields,
  variants: readonly VariantFields[],
): ProductResource {
  return {
    id: product.id,
    title: product.title,
    handle: product.handle,
    description: product.description,
    status: product.status,
    tags: product.tags,
    variants: variants.map(serializeVariant),
    version: product.version,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
}

export function serializeVariant(variant: VariantFields): VariantResource {
  return {
    id: variant.id,
    sku: variant.sku,
    title: variant.title,
    price: variant.price,
    inventoryQuantity: variant.inventoryQuantity,
    version: variant.version,
  };
}
