import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../common/request-context';
import { credentialTracker, isLimited } from './rate-limit.guard';
import { RateLimitOverrides } from './rate-limit-overrides.service';
import type { BucketTake } from './token-bucket';
import { TokenBucketStorage } from './token-bucket-storage';

/**
 * GraphQL's bucket of cost points, per credential and store like REST's, charged an operation's
 * calculated cost before it runs: by the query cost plugin over HTTP, and by the WebSocket
 * server for each subscribe message. Not a throttler of the ThrottlerGuard: a guard runs per
 * resolver, after the operation was accepted, and the package's storage counts one hit per
 * request, where a refused operation must cost nothing and run nothing (docs/decisions.md).
 */
@Injectable()
export class GraphqlCostBucket {
  constructor(
    private readonly storage: TokenBucketStorage,
    private readonly overrides: RateLimitOverrides,
  ) {}

  /** Takes the cost if the bucket holds it; undefined for a credential that is not limited. */
  async charge(ctx: RequestContext, cost: number): Promise<BucketTake | undefined> {
    if (!isLimited(ctx)) return undefined;
    const limit = (await this.overrides.get(ctx.actor.id)).graphql;
    return this.storage.take(`graphql:${credentialTracker(ctx)}`, cost, limit);
  }
}
