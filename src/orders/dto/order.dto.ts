import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import type { OrderStatus } from '../order.entity';
import { Omittable, UpdatedSince } from '../../common/validation/validators';

export class CreateLineItemDto {
  @Matches(/^var_[0-9a-z]{26}$/, { message: 'variantId must be a variant id (var_…)' })
  variantId: string;

  @IsInt()
  @Min(1)
  @Max(10_000)
  quantity: number;
}

export class CreateOrderDto {
  @Omittable()
  @Matches(/^cus_[0-9a-z]{26}$/, { message: 'customerId must be a customer id (cus_…)' })
  customerId?: string;

  @IsEmail()
  @Length(3, 254)
  email: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => CreateLineItemDto)
  lineItems: CreateLineItemDto[];
}

export class ListOrdersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['open', 'cancelled', 'closed'] })
  @IsOptional()
  @IsIn(['open', 'cancelled', 'closed'])
  status?: OrderStatus;

  @UpdatedSince('orders')
  updatedSince?: string;
}
