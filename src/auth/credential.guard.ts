import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Authenticator } from './authenticator';
import { credentialTransportOf } from './credential-transport';
import { accessRuleOf } from './require-scopes.decorator';

/**
 * Authentication, the first global guard: runs the API's Passport strategies on the request
 * (through its transport's extractor) and keeps the request context for what follows: the
 * throttler, which charges the credential, then the scope guard. A GraphQL operation resolves
 * its credential once; its other root fields reuse it.
 */
@Injectable()
export class CredentialGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    if (accessRuleOf(this.reflector, execution).public) return true;
    const transport = credentialTransportOf(execution);
    if (transport.resolved(execution)) return true;
    const context = await this.authenticator.authenticateApi(transport.credentials(execution));
    transport.attach(execution, context);
    return true;
  }
}
