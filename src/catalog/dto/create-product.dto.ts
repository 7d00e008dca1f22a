import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { HANDLE_PATTERN } from '../../common/validation/validators';
import type { ProductStatus } from '../product.entity';

export const MAX_PRICE = Number.MAX_SAFE_INTEGER;
export const MAX_INVENTORY = 2_147_483_647;

export class CreateVariantDto {
  @IsString()
  @Length(1, 255)
  sku: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  title?: string;

  @IsInt()
  @Min(0)
  @Max(MAX_PRICE)
  price: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_INVENTORY)
  inventoryQuantity?: number;
}

export class CreateProductDto {
  @IsString()
  @Length(1, 255)
  title: string;

  @IsOptional()
  @IsString()
  @Matches(HANDLE_PATTERN, {
    message: 'handle must be 1–64 lower-case letters, digits or inner hyphens',
  })
  handle?: string;

  @IsOptional()
  @IsString()
  @MaxLength(65_535)
  description?: string;

  @IsOptional()
  @IsIn(['draft', 'active', 'archived'])
  status?: ProductStatus;

  @IsOptional()
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
