import { Module } from '@nestjs/common';
import { PlatformModule } from '../platform/platform.module';
import { RateLimitsModule } from '../throttling/rate-limits.module';
import { WebModule } from '../web/web.module';
import { AccessTokenStrategy } from './access-token.strategy';
import { StaffSessionStrategy } from './staff-session.strategy';
import { AppsService } from './apps.service';
import { AuthorizePagesController } from './authorize-pages.controller';
import { InstallationsService } from './installations.service';
import { OAuthEndpointsController } from './oauth-endpoints.controller';
import { OAuthGrants } from './oauth-grants';
import { OAuthServer } from './oauth-server';
import {
  PlatformAppsController,
  PlatformInstallationsController,
} from './platform-apps.controller';
import { StaffSessions } from './staff-sessions';

/** OAuth 2.0: the authorization server, its sign-in and consent pages, apps and installations. */
@Module({
  imports: [PlatformModule, RateLimitsModule, WebModule],
  controllers: [
    OAuthEndpointsController,
    AuthorizePagesController,
    PlatformAppsController,
    PlatformInstallationsController,
  ],
  providers: [
    AppsService,
    InstallationsService,
    OAuthGrants,
    OAuthServer,
    StaffSessions,
    AccessTokenStrategy,
    StaffSessionStrategy,
  ],
  exports: [AppsService, InstallationsService, OAuthGrants, StaffSessions],
})
export class OAuthModule {}
