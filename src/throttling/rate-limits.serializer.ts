import { ApiProperty } from '@nestjs/swagger';
import type { RateLimits } from './rate-limit-overrides.service';
import type { BucketLimit } from './token-bucket';

export class BucketLimitResource {
  @ApiProperty({ type: 'integer', description: 'Size of the bucket' })
  bucket: number;

  @ApiProperty({ type: 'integer', description: 'Points put back per second' })
  refillPerSecond: number;
}

/** A credential's effective limits, as its resource (API key, app) shows them. */
export interface RateLimitsResource {
  rateLimit: BucketLimitResource;
  graphqlCost: BucketLimitResource;
}

export function serializeRateLimits(limits: RateLimits): RateLimitsResource {
  return { rateLimit: bucketLimit(limits.rest), graphqlCost: bucketLimit(limits.graphql) };
}

function bucketLimit(limit: BucketLimit): BucketLimitResource {
  return { bucket: limit.bucket, refillPerSecond: limit.refillPerSecond };
}
