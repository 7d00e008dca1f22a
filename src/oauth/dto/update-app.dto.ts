import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Length } from 'class-validator';
import { SCOPES, Scope } from '../../common/scopes';
import { Omittable } from '../../common/validation/validators';
import { UpdateRateLimitsDto } from '../../throttling/dto/update-rate-limits.dto';
import { RedirectUris } from '../redirect-uri';

/**
 * Every field may be left out. `null` is refused, except on the rate limits, where it means
 * "back to the default".
 */
export class UpdateAppDto extends UpdateRateLimitsDto {
  @Omittable()
  @IsString()
  @Length(1, 200)
  name?: string;

  @Omittable()
  @RedirectUris()
  redirectUris?: string[];

  /** Narrowing the scopes does not shrink existing installations; new authorizations follow it. */
  @Omittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(SCOPES, { each: true, message: `each scope must be one of: ${SCOPES.join(', ')}` })
  scopes?: Scope[];
}
