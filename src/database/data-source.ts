import { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { ProductEntity } from '../catalog/product.entity';
import { CustomerEntity } from '../customers/customer.entity';
import { LineItemEntity, OrderEntity } from '../orders/order.entity';
import { EventEntity } from '../events/event.entity';
import { VariantEntity } from '../catalog/variant.entity';
import { ApiKeyEntity } from '../platform/api-key.entity';
import { StaffEntity } from '../platform/staff.entity';
import { WebhookSubscriptionEntity } from '../webhooks/webhook-subscription.entity';
import { StoreDomainEntity, StoreEntity } from '../platform/store.entity';

export const ENTITIES = [
  OrderEntity,
  LineItemEntity,
  CustomerEntity,
  EventEntity,
  StoreEntity,
  StoreDomainEntity,
  ApiKeyEntity,
  StaffEntity,
  ProductEntity,
  VariantEntity,
  WebhookSubscriptionEntity,
];

export interface DataSourceOptions {
  readonly url: string;
  readonly poolSize: number;
  /** How long a caller waits for a connection (pool full, or the server slow to accept). */
  readonly poolWaitMs?: number;
  /** Observes every statement (tests count them to catch N+1 queries). */
  readonly logger?: TypeOrmLogger;
}

/**
 * One pool for the platform and every store. Nothing is set per connection (no startup
 * `search_path`): each transaction sets its own, which is what PgBouncer in transaction mode allows.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    synchronize: false,
    migrationsRun: false,
    logging: options.logger ? true : false,
    logger: options.logger,
    extra: {
      max: options.poolSize,
      application_name: 'dukkadee',
      connectionTimeoutMillis: options.poolWaitMs ?? 5000,
    },
  });
}
