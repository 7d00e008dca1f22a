import { applyDecorators } from '@nestjs/common';
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
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
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

/**
 * One line of text (no control characters): shown on packing slips and tracking pages, where a
 * line break means nothing. Written without `\p{…}`, which the OpenAPI pattern would carry to
 * client validators that compile it without the `u` flag.
 */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const SINGLE_LINE = /^[^\u0000-\u001f\u007f-\u009f]*$/;

/**
 * An optional line of 1 to `max` characters. class-validator reports the first broken rule in the
 * order the rules were registered, so IsString comes first: a number or `null` is reported as not
 * a string rather than as too short.
 */
function OptionalLine(max: number, description: string): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Length(1, max),
    Matches(SINGLE_LINE, { message: '$property must be one line of text' }),
    Omittable(),
    JSONSchema({ description }),
  );
}

/** The optional body of `POST /v1/orders/{id}/cancel` (and `orderCancel`). */
export class CancelOrderDto {
  // Free text, several lines allowed, rather than a fixed set of codes: see docs/decisions.md.
  // Stacked decorators register bottom-up, so IsString, last here, is checked first.
  @JSONSchema({
    description:
      'Why the order is cancelled, kept on the order (cancelReason). Free text; Shopify’s codes customer, fraud, inventory, declined and other fit too.',
  })
  @Omittable()
  @Length(1, 255)
  @IsString()
  reason?: string;
}

/** The optional body of `POST /v1/orders/{id}/fulfill` (and `orderFulfill`). */
export class FulfillOrderDto {
  @OptionalLine(100, 'The shipment’s tracking number, kept on the order')
  trackingNumber?: string;

  @OptionalLine(100, 'Who carries the shipment (UPS, DHL Express…), kept on the order')
  carrier?: string;
}
