import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '../config/config';
import { LOGGER } from '../observability/logger';
import { Metrics } from '../observability/metrics';
import { FailedAttempts } from './failed-attempts.service';
import { GraphqlCostBucket } from './graphql-cost-bucket';
import { RateLimitOverrides } from './rate-limit-overrides.service';
import { TokenBucketStorage } from './token-bucket-storage';
import { InMemoryTokenBuckets, RedisTokenBuckets, TokenBuckets } from './token-buckets';

/** The buckets (Redis or memory), the throttler's storage over them, and the limits' overrides. */
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
    TokenBucketStorage,
    RateLimitOverrides,
    GraphqlCostBucket,
    FailedAttempts,
  ],
  exports: [TokenBucketStorage, RateLimitOverrides, GraphqlCostBucket, FailedAttempts],
})
export class RateLimitsModule {}
