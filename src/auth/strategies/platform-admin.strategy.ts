import { Injectable } from '@nestjs/common';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import type { RequestContext } from '../../common/request-context';
import { Authenticator, PLATFORM_ADMIN_STRATEGY } from '../authenticator';
import type { CredentialRequest } from '../credential-request';
import { CredentialStrategy } from '../credential-strategy';
import { CredentialResolver } from '../credential-resolver';

/** `Authorization: Bearer <PLATFORM_ADMIN_TOKEN>`: the platform administrator, of no store. */
@Injectable()
export class PlatformAdminStrategy extends CredentialStrategy(
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

  validate(request: CredentialRequest, token: string): RequestContext | false {
    return this.credentials.platformAdmin(token, request.requestId) ?? false;
  }
}
