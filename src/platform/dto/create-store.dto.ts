import { ArrayMaxSize, IsArray, IsFQDN, IsIn, IsString, Length, Matches } from 'class-validator';
import { HANDLE_PATTERN, IsCurrencyCode, Omittable } from '../../common/validation/validators';
import type { Hosting } from '../store.entity';

export class CreateStoreDto {
  @IsString()
  @Length(1, 200)
  name: string;

  @IsString()
  @Matches(HANDLE_PATTERN, {
    message: 'handle must be 1–64 lower-case letters, digits or inner hyphens',
  })
  handle: string;

  @IsCurrencyCode()
  currency: string;

  @IsIn(['hosted', 'self_hosted'])
  hosting: Hosting;

  @Omittable()
  @IsArray()
  @ArrayMaxSize(20)
  @IsFQDN(
    { require_tld: true },
    { each: true, message: 'each domain must be a fully qualified host name' },
  )
  domains?: string[];
}
