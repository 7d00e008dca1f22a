import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { InventoryModule } from '../inventory/inventory.module';
import { EventsModule } from '../events/events.module';
import { CustomersModule } from '../customers/customers.module';
import { OrdersModule } from '../orders/orders.module';
import { OAuthModule } from '../oauth/oauth.module';
import { PlatformModule } from '../platform/platform.module';
import { SyncModule } from '../sync/sync.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { RateLimitsModule } from '../throttling/rate-limits.module';
import { WebModule } from '../web/web.module';
import { AdminSessionGuard } from './admin/admin-session.guard';
import { DashboardController } from './admin/dashboard.controller';
import { OrdersPagesController } from './admin/orders/orders.controller';
import { CustomersPagesController } from './admin/customers/customers.controller';
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
import { HostedNotFoundPage } from './not-found-page';
import { UNROUTED_PAGE } from '../common/errors/unrouted-page';
import { LiveStreams } from './live/live-streams';
import { CartContents } from './storefront/cart-contents';
import { CartCookie } from './storefront/cart-cookie';
import { CartController } from './storefront/cart.controller';
import { CheckoutController } from './storefront/checkout.controller';
import { ConfirmationController } from './storefront/confirmation.controller';
import { HomeController } from './storefront/home.controller';
import { ProductController } from './storefront/product.controller';
import { StorefrontSigner } from './storefront/storefront-signer';

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
    CustomersModule,
    CatalogModule,
    OrdersModule,
    InventoryModule,
  ],
  controllers: [
    AssetsController,
    SignInController,
    DashboardController,
    OrdersPagesController,
    CustomersPagesController,
    DevelopersOverviewController,
    ApiKeysPagesController,
    WebhooksPagesController,
    AppsAndSyncPagesController,
    HomeController,
    ProductController,
    CartController,
    CheckoutController,
    ConfirmationController,
    ProductsPagesController,
    InventoryPagesController,
  ],
  providers: [
    HostedStoreGuard,
    AdminSessionGuard,
    FormCsrfGuard,
    TooManyAdminSignInsFilter,
    LiveStreams,
    StorefrontSigner,
    CartCookie,
    CartContents,
    HostedNotFoundPage,
    { provide: UNROUTED_PAGE, useExisting: HostedNotFoundPage },
  ],
  exports: [UNROUTED_PAGE],
})
export class HostedUiModule {}
