import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString, Length } from 'class-validator';
import { SCOPES, Scope } from '../../common/scopes';
import type { ApiKeyMode } from '../../auth/api-key-token';
import { Omittable } from '../../common/validation/validators';

export class CreateApiKeyDto {
  @IsString()
  @Length(1, 200)
  name: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(SCOPES, { each: true, message: `each scope must be one of: ${SCOPES.join(', ')}` })
  scopes: Scope[];

  /** `test` keys (`dk_test_…`) are for development; both act on the store's data alike. */
  @Omittable()
  @IsIn(['live', 'test'])
  mode?: ApiKeyMode;
}
