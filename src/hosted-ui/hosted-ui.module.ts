import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { InventoryModule } from '../inventory/inventory.module';
import { EventsModule } from '../events/events.module';
import { OAuthModule } from '../oauth/oauth.module';
import { PlatformModule } from '../platform/platform.module';
import { SyncModule } from '../sync/sync.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { RateLimitsModule } from '../throttling/rate-limits.module';
import { WebModule } from '../web/web.module';
import { AdminSessionGuard } from './admin/admin-session.guard';
import { DashboardController } from './admin/dashboard.controller';
import { ApiKeysPagesController } from './admin/developers/api-keys.controller';
import { AppsAndSyncPagesController } from './admin/developers/apps-and-sync.controller';
import { DevelopersOverviewController } from './admin/developers/overview.controller';
import { WebhooksPagesController } from './admin/developers/webhooks.controller';
import { InventoryPagesController } from './admin/inventory/inventory.controller';
import { ProductsPagesController } from './admin/products/products.controller';
import { SignInController, TooManyAdminSignInsFilter } from './admin/sign-in.controller';
import { AssetsController } from './assets.controller';
import { FormCsrfGuard } from './form-csrf.guard';
import { HostedStoreGuard } from './hosted-store.guard';
import { LiveStreams } from './live/live-streams';

/**
 * The hosted UI: each store's storefront and merchant admin, rendered on the server from the
 * same services REST and GraphQL call, in this process (ARCHITECTURE.md, docs/hosted-ui.md).
 */
@Module({
  imports: [
    WebModule,
    PlatformModule,
    OAuthModule,
    EventsModule,
    RateLimitsModule,
    WebhooksModule,
    SyncModule,
    CatalogModule,
    InventoryModule,
  ],
  controllers: [
    AssetsController,
    SignInController,
    DashboardController,
    DevelopersOverviewController,
    ApiKeysPagesController,
    WebhooksPagesController,
    AppsAndSyncPagesController,
    ProductsPagesController,
    InventoryPagesController,
  ],
  providers: [
    HostedStoreGuard,
    AdminSessionGuard,
    FormCsrfGuard,
    TooManyAdminSignInsFilter,
    LiveStreams,
  ],
})
export class HostedUiModule {}
