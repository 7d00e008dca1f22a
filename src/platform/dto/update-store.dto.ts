import { ArrayMaxSize, IsArray, IsFQDN } from 'class-validator';
import { Omittable } from '../../common/validation/validators';

/** What a platform admin may change on a store; an omitted field is left as it is. */
export class UpdateStoreDto {
  /** Replaces the store's custom domains (an empty list removes them all). */
  @Omittable()
  @IsArray()
  @ArrayMaxSize(20)
  @IsFQDN(
    { require_tld: true },
    { each: true, message: 'each domain must be a fully qualified host name' },
  )
  domains?: string[];
}
