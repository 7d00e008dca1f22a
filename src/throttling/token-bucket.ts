/** A bucket's size and how fast it fills again: the defaults, or a credential's override. */
export interface BucketLimit {
  readonly bucket: number;
  readonly refillPerSecond: number;
}

/** A bucket as stored: its points (fractional, as refills are) and when they were counted. */
export interface BucketState {
  readonly points: number;
  /** Milliseconds since the epoch. */
  readonly at: number;
}

/**
 * Refills the bucket for the time since it was last counted, then takes `cost` points if it holds
 * them. A bucket never seen is full. The Lua script of RedisTokenBuckets does the same in Redis.
 */
export function takeFromBucket(
  stored: BucketState | undefined,
  cost: number,
  limit: BucketLimit,
  now: number,
): { taken: boolean; state: BucketState } {
  const refilled = stored
    ? Math.min(
        limit.bucket,
        stored.points + (Math.max(0, now - stored.at) / 1000) * limit.refillPerSecond,
      )
    : limit.bucket;
  const taken = refilled >= cost;
  return { taken, state: { points: taken ? refilled - cost : refilled, at: now } };
}

/** What one take left, and the whole-number figures clients are told. */
export class BucketTake {
  constructor(
    readonly taken: boolean,
    /** Points left after this take. */
    readonly points: number,
    readonly limit: BucketLimit,
  ) {}

  /** Whole points left: what `RateLimit-Remaining` and `currentlyAvailable` report. */
  get remaining(): number {
    return Math.max(0, Math.floor(this.points));
  }

  /** Seconds until the bucket is full again (`RateLimit-Reset`). */
  get secondsUntilFull(): number {
    return Math.max(0, Math.ceil((this.limit.bucket - this.points) / this.limit.refillPerSecond));
  }

  /** Seconds until the bucket holds `cost` points (`Retry-After`); 0 when it does now. */
  secondsUntilAvailable(cost: number): number {
    return Math.max(0, Math.ceil((cost - this.points) / this.limit.refillPerSecond));
  }
}
