import { Injectable } from '@nestjs/common';
import { BucketLimit } from '../throttling/token-bucket';
import { TokenBuckets } from '../throttling/token-buckets';

/**
 * Failed attempts allowed before 429, per target: guessing passwords, client secrets, codes or
 * refresh tokens. Only failures are counted, so an app refreshing thousands of stores' tokens
 * is never slowed; the buckets are the API's (in Redis across instances when configured).
 */
const FAILURE_LIMITS = {
  /** Five wrong passwords for one email, then one more try a minute. */
  signInEmail: { bucket: 5, refillPerSecond: 1 / 60 },
  /** Twenty from one address, then one every six seconds. */
  signInAddress: { bucket: 20, refillPerSecond: 1 / 6 },
  tokenClient: { bucket: 20, refillPerSecond: 1 },
  tokenAddress: { bucket: 20, refillPerSecond: 1 },
} satisfies Record<string, BucketLimit>;

export type FailureTarget = keyof typeof FAILURE_LIMITS;

@Injectable()
export class AbuseLimits {
  constructor(private readonly buckets: TokenBuckets) {}

  /**
   * Seconds to wait before trying again if any of the targets has used up its failures;
   * undefined when the attempt may go ahead. Looking costs nothing (a take of 0 points).
   */
  async retryAfter(targets: readonly [FailureTarget, string][]): Promise<number | undefined> {
    let wait: number | undefined;
    for (const [target, value] of targets) {
      const look = await this.buckets.take(this.key(target, value), 0, FAILURE_LIMITS[target]);
      if (look.remaining < 1) wait = Math.max(wait ?? 0, look.secondsUntilAvailable(1));
    }
    return wait;
  }

  async recordFailure(targets: readonly [FailureTarget, string][]): Promise<void> {
    for (const [target, value] of targets)
      await this.buckets.take(this.key(target, value), 1, FAILURE_LIMITS[target]);
  }

  private key(target: FailureTarget, value: string): string {
    return `abuse:${target}:${value.toLowerCase()}`;
  }
}
