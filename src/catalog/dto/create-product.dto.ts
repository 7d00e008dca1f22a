import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { HANDLE_PATTERN, Omittable } from '../../common/validation/validators';
import type { ProductStatus } from '../product.entity';

export const MAX_PRICE = Number.MAX_SAFE_INTEGER;
export const MAX_INVENTORY = 2_147_483_647;

export class CreateVariantDto {
  @IsString()
  @Length(1, 255)
  sku: string;

  @Omittable()
  @IsString()
  @MaxLength(255)
  title?: string;

  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  price: number;

  @Omittable()
  @IsInt()
  @Min(0)
  @Max(MAX_INVENTORY)
  inventoryQuantity?: number;
}

export class CreateProductDto {
  @IsString()
  @Length(1, 255)
  title: string;

  @Omittable()
  @IsString()
  @Matches(HANDLE_PATTERN, {
    message: 'handle must be 1–64 lower-case letters, digits or inner hyphens',
  })
  handle?: string;

  @Omittable()
  @IsString()
  @MaxLength(65_535)
  description?: string;

  @Omittable()
  @IsIn(['draft', 'active', 'archived'])
  status?: ProductStatus;

  @Omittable()
  @IsArray()
  @ArrayMaxSize(250)
  @IsString({ each: true })
  @Length(1, 255, { each: true })
  tags?: string[];

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => CreateVariantDto)
  variants: CreateVariantDto[];
}
