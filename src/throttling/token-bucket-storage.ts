import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { BucketLimit, BucketTake } from './token-bucket';
import { TokenBuckets } from './token-buckets';

/**
 * @nestjs/throttler's `limit` per `ttl` read as a token bucket: `limit` points, refilled evenly
 * over `ttl` milliseconds (200 per 10 s is a bucket of 200 refilled at 20 a second). A bucket
 * rather than the package's fixed window, because that is what clients were promised: a burst of
 * the bucket's size, then a steady rate, never a window that opens all at once.
 */
export function bucketLimitOf(limit: number, ttl: number): BucketLimit {
  // Twelve significant digits undo the rounding of `ttlOf` (200 / 20 → 10,000 ms → 20 again), so
  // the whole-second headers computed from the rate never move by a rounding error.
  // Nearly every request has the default limits: their bucket is built once.
  if (limit !== lastLimit.limit || ttl !== lastLimit.ttl)
    lastLimit = {
      limit,
      ttl,
      bucket: { bucket: limit, refillPerSecond: Number(((limit * 1000) / ttl).toPrecision(12)) },
    };
  return lastLimit.bucket;
}

let lastLimit: { limit: number; ttl: number; bucket: BucketLimit } = {
  limit: Number.NaN,
  ttl: Number.NaN,
  bucket: { bucket: 0, refillPerSecond: 0 },
};

/** The throttler's `ttl` of a bucket: the milliseconds it takes to fill from empty. */
export function ttlOf(limit: BucketLimit): number {
  return (limit.bucket * 1000) / limit.refillPerSecond;
}

/** A throttler record with the take it came from, for the headers the guard sends. */
export type BucketRecord = Awaited<ReturnType<ThrottlerStorage['increment']>> & {
  readonly take: BucketTake;
};

/**
 * The throttler's storage over the token buckets: Redis (one Lua script, one round trip per
 * request) across instances when REDIS_URL is set, memory otherwise or while Redis is away.
 */
@Injectable()
export class TokenBucketStorage implements ThrottlerStorage {
  constructor(private readonly buckets: TokenBuckets) {}

  /** One request: one point. `totalHits` is what the bucket has spent, in whole points. */
  async increment(key: string, ttl: number, limit: number): Promise<BucketRecord> {
    const take = await this.buckets.take(key, 1, bucketLimitOf(limit, ttl));
    return {
      take,
      totalHits: limit - take.remaining,
      timeToExpire: take.secondsUntilFull,
      isBlocked: !take.taken,
      timeToBlockExpire: take.secondsUntilAvailable(1),
    };
  }

  /** `cost` points at once (a GraphQL operation's cost); 0 only looks at the bucket. */
  take(key: string, cost: number, limit: BucketLimit): Promise<BucketTake> {
    return this.buckets.take(key, cost, limit);
  }
}
