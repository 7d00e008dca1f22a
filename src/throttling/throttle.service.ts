import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from '../common/errors/domain-error';
import { RequestContext } from '../common/request-context';
import { RateLimitOverrides } from './rate-limit-overrides.service';
import { BucketTake } from './token-bucket';
import { TokenBuckets } from './token-buckets';

/** The `RateLimit-*` headers of a take (CONTRACT.md), whole numbers all. */
export function rateLimitHeaders(take: BucketTake): Record<string, string> {
  return {
    'RateLimit-Limit': String(take.limit.bucket),
    'RateLimit-Remaining': String(take.remaining),
    'RateLimit-Reset': String(take.secondsUntilFull),
  };
}

/**
 * Charges a credential's requests to its buckets, one per credential and store (never per IP):
 * REST one point per request, GraphQL the operation's cost. The platform admin is not limited.
 */
@Injectable()
export class Throttle {
  constructor(
    private readonly buckets: TokenBuckets,
    private readonly overrides: RateLimitOverrides,
  ) {}

  /**
   * Charges one REST request, right after its credential is resolved, and sets the `RateLimit-*`
   * headers, which every answer (problems included) then carries. Empty bucket: `rate_limited`.
   */
  async chargeRequest(ctx: RequestContext, reply: FastifyReply): Promise<void> {
    if (!isLimited(ctx)) return;
    const limit = (await this.overrides.get(ctx.actor.id)).rest;
    const take = await this.buckets.take(bucketKey('rest', ctx), 1, limit);
    for (const [name, value] of Object.entries(rateLimitHeaders(take)))
      void reply.header(name, value);
    if (take.taken) return;
    const retryAfter = take.secondsUntilAvailable(1);
    throw new DomainError(
      'rate_limited',
      `This credential may make ${limit.bucket} requests in a burst, refilled at ${limit.refillPerSecond} per second; retry in ${retryAfter} s.`,
      { headers: { 'Retry-After': String(retryAfter) } },
    );
  }

  /** Charges a GraphQL operation's cost; undefined for a credential that is not limited. */
  async chargeQuery(ctx: RequestContext, cost: number): Promise<BucketTake | undefined> {
    if (!isLimited(ctx)) return undefined;
    const limit = (await this.overrides.get(ctx.actor.id)).graphql;
    return this.buckets.take(bucketKey('graphql', ctx), cost, limit);
  }
}

function isLimited(ctx: RequestContext): boolean {
  return ctx.actor.type !== 'platform_admin';
}

/** `rest:<credential>:<store>`: an OAuth app installed on several stores has a bucket in each. */
function bucketKey(api: 'rest' | 'graphql', ctx: RequestContext): string {
  return `${api}:${ctx.actor.id}:${ctx.storeId ?? 'platform'}`;
}
