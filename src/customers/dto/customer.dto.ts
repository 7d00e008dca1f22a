import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  IsEmail,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination';

const PHONE = /^\+?[0-9 ()./-]{3,32}$/;

export class CreateCustomerDto {
  @IsEmail()
  @Length(3, 254)
  email: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  firstName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  lastName?: string;

  @IsOptional()
  @Matches(PHONE, { message: 'phone must be 3–32 digits, spaces and + ( ) . / -' })
  phone?: string;
}

/** Any field of a customer; the same rules as creation. */
export class UpdateCustomerDto extends PartialType(CreateCustomerDto) {}

export class ListCustomersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Only customers updated at or after this time',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  updatedSince?: string;
}
