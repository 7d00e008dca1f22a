import { Global, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { EventLog } from '../events/event-log.service';
import { EventsModule } from '../events/events.module';
import { LOGGER } from '../observability/logger';
import { Metrics } from '../observability/metrics';
import { CachedReads } from './cached-reads';
import { CachedResponseInterceptor } from './cached-response.interceptor';
import { catalogChangeOf } from './catalog-changes';
import { NoResponseCache, ResponseCache, TieredResponseCache } from './response-cache';

/**
 * Drops what a transaction's committed events changed, after its commit and before its answer,
 * so the next read on this instance sees the write; other instances hear of it on the bus.
 */
@Injectable()
export class CacheInvalidation implements OnModuleInit {
  constructor(
    private readonly events: EventLog,
    private readonly cache: ResponseCache,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.events.addCommitListener(async (storeId, committed) => {
      const change = catalogChangeOf(committed);
      if (!change) return;
      // The write has committed: its answer must not fail for the cache's sake.
      await this.cache.invalidate(storeId, change).catch((error: unknown) => {
        this.logger.error({ err: error, storeId }, 'response cache invalidation failed');
      });
    });
  }
}

/** The response cache (docs/operations.md, "Cache"), for every module's read routes. */
@Global()
@Module({
  imports: [EventsModule],
  providers: [
    {
      provide: ResponseCache,
      inject: [APP_CONFIG, Metrics, LOGGER, DataSource],
      useFactory: (
        config: AppConfig,
        metrics: Metrics,
        logger: Logger,
        dataSource: DataSource,
      ): ResponseCache =>
        config.cacheMemoryBytes === 0
          ? new NoResponseCache()
          : new TieredResponseCache({
              memoryBytes: config.cacheMemoryBytes,
              redisUrl: config.redisUrl,
              // The URL the pool uses (the embedded PostgreSQL's when DATABASE_URL is unset).
              databaseUrl: (dataSource.options as { url: string }).url,
              dataSource,
              registry: metrics.registry,
              logger,
            }),
    },
    CacheInvalidation,
    CachedReads,
    CachedResponseInterceptor,
  ],
  exports: [ResponseCache, CachedReads, CachedResponseInterceptor],
})
export class CacheModule {}
