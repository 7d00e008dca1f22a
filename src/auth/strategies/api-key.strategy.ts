import { Injectable } from '@nestjs/common';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import type { RequestContext } from '../../common/request-context';
import { API_KEY_STRATEGY, Authenticator } from '../authenticator';
import type { CredentialRequest } from '../credential-request';
import { CredentialStrategy } from '../credential-strategy';
import { CredentialResolver } from '../credential-resolver';

/** `Authorization: Bearer dk_live_…` (or `dk_test_…`): an API key of one store. */
@Injectable()
export class ApiKeyStrategy extends CredentialStrategy(BearerStrategy, API_KEY_STRATEGY) {
  constructor(
    private readonly credentials: CredentialResolver,
    authenticator: Authenticator,
  ) {
    super({ passReqToCallback: true });
    authenticator.use(API_KEY_STRATEGY, this);
  }

  async validate(request: CredentialRequest, token: string): Promise<RequestContext | false> {
    return (await this.credentials.apiKey(token, request.requestId)) ?? false;
  }
}
