import { ExecutionContext, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { requestContextOf } from '../auth/credential-transport';
import type { BucketLimit } from './token-bucket';
import { failureThrottler } from './throttle-failures.decorator';
import { FailureThrottlerGuard } from './failure-throttler.guard';
import { notCounted, RateLimitGuard, restTracker } from './rate-limit.guard';
import { RateLimitOverrides } from './rate-limit-overrides.service';
import { RateLimitsModule } from './rate-limits.module';
import { TokenBucketStorage, ttlOf } from './token-bucket-storage';

/** A figure of the REST limit of the request's credential (the throttler skips requests without one). */
function restLimit<T>(
  overrides: RateLimitOverrides,
  execution: ExecutionContext,
  figure: (limit: BucketLimit) => T,
): T | Promise<T> {
  const limits = overrides.getNow(requestContextOf(execution)!.actor.id);
  return limits instanceof Promise
    ? limits.then((loaded) => figure(loaded.rest))
    : figure(limits.rest);
}

/**
 * Rate limits on @nestjs/throttler. The application registers RateLimitGuard as the second
 * global guard, after the CredentialGuard (the tracker is the credential), before the scopes.
 */
@Module({
  imports: [
    RateLimitsModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitsModule],
      inject: [TokenBucketStorage, RateLimitOverrides],
      useFactory: (storage: TokenBucketStorage, overrides: RateLimitOverrides) => ({
        storage,
        throttlers: [
          {
            // REST: one bucket per credential and store for all routes, RATE_LIMIT_BUCKET
            // refilled at RATE_LIMIT_REFILL_PER_SECOND, or the credential's own limits.
            name: 'default',
            limit: (execution) => restLimit(overrides, execution, (limit) => limit.bucket),
            ttl: (execution) => restLimit(overrides, execution, ttlOf),
            getTracker: restTracker,
            skipIf: notCounted,
          },
          // Brute-force limits, declared beside their routes with @ThrottleFailures (src/oauth).
          failureThrottler('signIn'),
          failureThrottler('signInAddress'),
          failureThrottler('tokenClient'),
          failureThrottler('tokenAddress'),
        ],
      }),
    }),
  ],
  providers: [RateLimitGuard, FailureThrottlerGuard],
  exports: [RateLimitsModule, RateLimitGuard, FailureThrottlerGuard],
})
export class ThrottlingModule {}
