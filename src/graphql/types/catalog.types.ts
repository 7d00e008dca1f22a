import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

import { DateTime, SafeInt } from '../scalars';
import { ConnectionType, UserError, VersionedNode } from './common.types';

export enum ProductStatus {
  draft = 'draft',
  active = 'active',
  archived = 'archived',
}
registerEnumType(ProductStatus, { name: 'ProductStatus' });

@ObjectType()
export class Variant {
  @Field(() => ID)
  id: string;

  @Field()
  sku: string;

  @Field()
  title: string;

  @Field(() => SafeInt, { description: 'Minor units of the store currency' })
  price: number;

  @Field(() => Int)
  inventoryQuantity: number;

  @Field(() => Int)
  version: number;
}

@ObjectType()
export class Product extends VersionedNode {
  @Field()
  title: string;

  @Field()
  handle: string;

  @Field()
  description: string;

  @Field(() => ProductStatus)
  status: string;

  @Field(() => [String])
  tags: string[];

  @Field(() => [Variant])
  variants: Variant[];
}

export const ProductConnection = ConnectionType(Product);

@InputType()
export class ProductFilter {
  @Field(() => ProductStatus, { nullable: true })
  status?: ProductStatus;

  @Field(() => DateTime, { nullable: true })
  updatedSince?: string;
}

@InputType()
export class VariantInput {
  @Field(() => ID, { nullable: true, description: 'productUpdate: the variant to update' })
  id?: string;

  @Field({ nullable: true })
  sku?: string;

  @Field({ nullable: true })
  title?: string;

  @Field(() => SafeInt, { nullable: true })
  price?: number;

  @Field(() => Int, { nullable: true, description: 'productCreate and new variants only' })
  inventoryQuantity?: number;
}

@InputType({
  description: 'The fields of POST /v1/products (productCreate) or PATCH (productUpdate)',
})
export class ProductInput {
  @Field({ nullable: true })
  title?: string;

  @Field({ nullable: true })
  handle?: string;

  @Field({ nullable: true })
  description?: string;

  @Field(() => ProductStatus, { nullable: true })
  status?: ProductStatus;

  @Field(() => [String], { nullable: true })
  tags?: string[];

  @Field(() => [VariantInput], { nullable: true })
  variants?: VariantInput[];
}

@ObjectType()
export class ProductPayload {
  @Field(() => Product, { nullable: true })
  product: Product | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class DeletePayload {
  @Field(() => ID, { nullable: true })
  deletedId: string | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
