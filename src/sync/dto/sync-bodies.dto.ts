import { applyDecorators } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import { ValidateIf } from 'class-validator';
import { CreateProductDto, CreateVariantDto } from '../../catalog/dto/create-product.dto';
import { CreateCustomerDto } from '../../customers/dto/customer.dto';

/**
 * An optional text field that a sync item may clear: `""` or `null` both mean "none", which is
 * `""` as REST shows it (a product without a description, a customer without a phone). REST's
 * own bodies keep refusing `null` (docs/decisions.md, "null is never a field value"), and keep
 * refusing `""` where a value has a format (a phone): there, leaving the field out already says
 * "none" at creation and "unchanged" in a PATCH. A pushed item is the whole resource, so it
 * needs a way to say "none" that is not "left out" (CONTRACT.md, Sync conflicts). Otherwise the
 * REST rules of the field apply unchanged: this replaces only their `Omittable()` condition.
 */
function Clearable(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (value === null ? '' : value)),
    ValidateIf((_object, value) => value !== undefined && value !== ''),
  );
}

export class SyncVariantDto extends CreateVariantDto {
  @Clearable()
  declare title?: string;
}

/** A product as a sync item's `data`: REST's create body, with a clearable description. */
export class SyncProductDto extends CreateProductDto {
  @Clearable()
  declare description?: string;

  @Type(() => SyncVariantDto)
  declare variants: SyncVariantDto[];
}

/** A customer as a sync item's `data`: REST's create body, with clearable names and phone. */
export class SyncCustomerDto extends CreateCustomerDto {
  @Clearable()
  declare firstName?: string;

  @Clearable()
  declare lastName?: string;

  @Clearable()
  declare phone?: string;
}
