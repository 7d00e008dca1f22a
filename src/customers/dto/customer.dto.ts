import { PartialType } from '@nestjs/swagger';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { Omittable, PATCH_FIELDS, UpdatedSince } from '../../common/validation/validators';

const PHONE = /^\+?[0-9 ()./-]{3,32}$/;

export class CreateCustomerDto {
  @IsEmail()
  @Length(3, 254)
  email: string;

  @Omittable()
  @IsString()
  @MaxLength(255)
  firstName?: string;

  @Omittable()
  @IsString()
  @MaxLength(255)
  lastName?: string;

  @Omittable()
  @Matches(PHONE, { message: 'phone must be 3–32 digits, spaces and + ( ) . / -' })
  phone?: string;
}

/** Any field of a customer; the same rules as creation. */
export class UpdateCustomerDto extends PartialType(CreateCustomerDto, PATCH_FIELDS) {}

export class ListCustomersQueryDto extends PageQueryDto {
  @UpdatedSince('customers')
  updatedSince?: string;
}
