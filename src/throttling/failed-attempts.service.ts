import { Injectable } from '@nestjs/common';
import type { BucketLimit } from './token-bucket';
import { TokenBucketStorage, ttlOf } from './token-bucket-storage';

/** The buckets a request's failures go to, as the guard found them (key and limit). */
type Charge = readonly [key: string, limit: BucketLimit];

@Injectable()
export class FailedAttempts {
  private readonly charges = new WeakMap<object, Charge[]>();

  constructor(private readonly storage: TokenBucketStorage) {}

  /** Called by the guard for each failure throttler of the request. */
  expect(request: object, key: string, limit: BucketLimit): void {
    const charges = this.charges.get(request);
    if (charges) charges.push([key, limit]);
    else this.charges.set(request, [[key, limit]]);
  }

  /** Counts one failure against every target of the request. */
  async record(request: object): Promise<void> {
    for (const [key, limit] of this.charges.get(request) ?? [])
      await this.storage.increment(key, ttlOf(limit), limit.bucket);
  }
}
