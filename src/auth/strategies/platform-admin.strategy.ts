import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import type { RequestContext } from '../../common/request-context';
import { Authenticator, PLATFORM_ADMIN_STRATEGY } from '../authenticator';
import type { CredentialRequest } from '../credential-request';
import { CONSTRUCTION_ONLY_PASSPORT } from '../credential-strategy';
import { CredentialResolver } from '../credential-resolver';

/** `Authorization: Bearer <PLATFORM_ADMIN_TOKEN>`: the platform administrator, of no store. */
@Injectable()
export class PlatformAdminStrategy extends PassportStrategy(
  BearerStrategy,
  PLATFORM_ADMIN_STRATEGY,
) {
  constructor(
    private readonly credentials: CredentialResolver,
    authenticator: Authenticator,
  ) {
    super({ passReqToCallback: true });
    authenticator.use(PLATFORM_ADMIN_STRATEGY, this);
  }

  /** See CONSTRUCTION_ONLY_PASSPORT: the Authenticator's instance is the one that counts. */
  getPassportInstance() {
    return CONSTRUCTION_ONLY_PASSPORT;
  }

  validate(request: CredentialRequest, token: string): RequestContext | false {
    return this.credentials.platformAdmin(token, request.requestId) ?? false;
  }
}
