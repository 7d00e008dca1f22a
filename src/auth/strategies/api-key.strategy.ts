import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import type { RequestContext } from '../../common/request-context';
import { API_KEY_STRATEGY, Authenticator } from '../authenticator';
import type { CredentialRequest } from '../credential-request';
import { CONSTRUCTION_ONLY_PASSPORT } from '../credential-strategy';
import { CredentialResolver } from '../credential-resolver';

/** `Authorization: Bearer dk_live_…` (or `dk_test_…`): an API key of one store. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(BearerStrategy, API_KEY_STRATEGY) {
  constructor(
    private readonly credentials: CredentialResolver,
    authenticator: Authenticator,
  ) {
    super({ passReqToCallback: true });
    authenticator.use(API_KEY_STRATEGY, this);
  }

  /** See CONSTRUCTION_ONLY_PASSPORT: the Authenticator's instance is the one that counts. */
  getPassportInstance() {
    return CONSTRUCTION_ONLY_PASSPORT;
  }

  async validate(request: CredentialRequest, token: string): Promise<RequestContext | false> {
    return (await this.credentials.apiKey(token, request.requestId)) ?? false;
  }
}
