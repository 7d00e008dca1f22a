import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsString,
  Length,
} from 'class-validator';
import { SCOPES, Scope } from '../../common/scopes';
import { Omittable } from '../../common/validation/validators';
import { RedirectUris } from '../redirect-uri';

export class CreateAppDto {
  @IsString()
  @Length(1, 200)
  name: string;

  /** Matched exactly, character for character, at `/oauth/authorize` and `/oauth/token`. */
  @RedirectUris()
  redirectUris: string[];

  /** The most the app may ask for; each authorization requests these or fewer. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(SCOPES, { each: true, message: `each scope must be one of: ${SCOPES.join(', ')}` })
  scopes: Scope[];

  /** Confidential apps get a client secret; public ones (mobile, single-page) must use PKCE. */
  @IsBoolean()
  confidential: boolean;

  /** Makes a single-store app, which may also use `client_credentials` for that store. */
  @Omittable()
  @IsString()
  @Length(1, 64)
  storeId?: string;
}
