import { Global, Module } from '@nestjs/common';
import { Authenticator } from './authenticator';
import { CredentialGuard } from './credential.guard';
import { CredentialResolver } from './credential-resolver';
import { CredentialWatch } from './credential-watch';
import { ScopesGuard } from './scopes.guard';
import { ApiKeyStrategy } from './strategies/api-key.strategy';
import { PlatformAdminStrategy } from './strategies/platform-admin.strategy';

/**
 * Authentication on Passport: the Authenticator, auth's own strategies (the platform admin token,
 * API keys) and the guards. Other modules add the strategies of the credentials they own (oauth:
 * access tokens and staff sessions); auth imports none of them. The application registers the
 * guards, in order: CredentialGuard, the throttler, ScopesGuard.
 */
@Global()
@Module({
  providers: [
    Authenticator,
    CredentialResolver,
    CredentialWatch,
    PlatformAdminStrategy,
    ApiKeyStrategy,
    CredentialGuard,
    ScopesGuard,
  ],
  exports: [Authenticator, CredentialResolver, CredentialWatch, CredentialGuard, ScopesGuard],
})
export class AuthModule {}
