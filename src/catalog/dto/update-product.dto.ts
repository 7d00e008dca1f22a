import { OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, Matches, ValidateNested } from 'class-validator';
import { CreateProductDto, CreateVariantDto } from './create-product.dto';
import { Omittable, PATCH_FIELDS } from '../../common/validation/validators';

/**
 * A variant in a PATCH: with `id`, an existing variant whose given fields change; without, a new
 * variant (then `sku` and `price` are required, checked by the service). Stock of existing
 * variants changes only through inventory adjustments (with a reason) and orders.
 */
export class UpdateVariantDto extends PartialType(CreateVariantDto, PATCH_FIELDS) {
  @Omittable()
  @Matches(/^var_[0-9a-z]{26}$/, { message: 'id must be a variant id (var_…)' })
  id?: string;
}

export class UpdateProductDto extends PartialType(
  OmitType(CreateProductDto, ['variants'] as const),
  PATCH_FIELDS,
) {
  /** Replaces the list: matched by id are updated, new ones created, missing ones removed. */
  @Omittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => UpdateVariantDto)
  variants?: UpdateVariantDto[];
}
