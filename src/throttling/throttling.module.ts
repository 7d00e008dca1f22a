import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '../config/config';
import { LOGGER } from '../observability/logger';
import { Metrics } from '../observability/metrics';
import { RateLimitOverrides } from './rate-limit-overrides.service';
import { Throttle } from './throttle.service';
import { InMemoryTokenBuckets, RedisTokenBuckets, TokenBuckets } from './token-buckets';

/** Rate limits of REST and GraphQL: the buckets, the per-credential overrides, the throttle. */
@Module({
  providers: [
    {
      provide: TokenBuckets,
      inject: [APP_CONFIG, LOGGER, Metrics],
      useFactory: (config: AppConfig, logger: Logger, metrics: Metrics): TokenBuckets =>
        config.redisUrl
          ? new RedisTokenBuckets(config.redisUrl, logger, metrics.rateLimitFallbacks)
          : new InMemoryTokenBuckets(),
    },
    RateLimitOverrides,
    Throttle,
  ],
  exports: [RateLimitOverrides, Throttle, TokenBuckets],
})
export class ThrottlingModule {}
