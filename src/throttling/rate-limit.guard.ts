import { ExecutionContext, Injectable } from '@nestjs/common';
import {
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerRequest,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestContextOf } from '../auth/credential-transport';
import { DomainError } from '../common/errors/domain-error';
import type { RequestContext } from '../common/request-context';
import { isFailureThrottler } from './throttle-failures.decorator';
import type { BucketTake } from './token-bucket';
import { bucketLimitOf, type BucketRecord } from './token-bucket-storage';

/** The `RateLimit-*` headers of a take (CONTRACT.md), whole numbers all. */
export function rateLimitHeaders(take: BucketTake): Record<string, string> {
  return {
    'RateLimit-Limit': String(take.limit.bucket),
    'RateLimit-Remaining': String(take.remaining),
    'RateLimit-Reset': String(take.secondsUntilFull),
  };
}

/** Credentials whose requests are counted: every one but the platform admin's. */
export function isLimited(ctx: RequestContext | undefined): ctx is RequestContext {
  return ctx !== undefined && ctx.actor.type !== 'platform_admin';
}

/**
 * `credential:store`, never the address: an OAuth app installed on several stores has a bucket
 * in each, and clients behind one proxy do not share one.
 */
export function credentialTracker(ctx: RequestContext): string {
  return `${ctx.actor.id}:${ctx.storeId ?? 'platform'}`;
}

/**
 * The throttler guard of REST, the second global guard (after CredentialGuard, whose context it
 * charges). GraphQL is charged by cost in its own plugin, and graphql-ws in onSubscribe: their
 * execution contexts are skipped here, which is also what keeps the package's HTTP-only request
 * lookup (`reading 'ip'`) away from resolvers.
 *
 * Beyond the package's guard: the headers are the RateLimit ones of CONTRACT.md, sent on every
 * counted answer (a 429 and any problem after it included); a refused request is a
 * `rate_limited` problem. The throttlers declared with ThrottleFailures have FailureThrottlerGuard.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  /** REST's throttler only: the failure throttlers have a guard of their own (FailureThrottlerGuard). */
  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    this.throttlers = this.throttlers.filter((throttler) => !isFailureThrottler(throttler.name));
  }

  protected override async shouldSkip(execution: ExecutionContext): Promise<boolean> {
    return execution.getType() !== 'http';
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, getTracker, generateKey } = request;
    const { req, res } = this.getRequestResponse(context);
    const tracker = await getTracker(req, context);
    if (!tracker) return true;
    const name = throttler.name ?? 'default';
    const key = generateKey(context, tracker, name);
    const record = (await this.storageService.increment(
      key,
      ttl,
      limit,
      request.blockDuration,
      name,
    )) as BucketRecord;
    const reply = res as FastifyReply;
    for (const [header, value] of Object.entries(rateLimitHeaders(record.take)))
      void reply.header(header, value);
    if (record.isBlocked)
      await this.throwThrottlingException(context, { ...record, limit, ttl, key, tracker });
    return true;
  }

  /** One bucket per credential and store for every route: `rest:<credential>:<store>`. */
  protected override generateKey(_execution: ExecutionContext, tracker: string): string {
    return `rest:${tracker}`;
  }

  protected override async throwThrottlingException(
    _execution: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const { bucket, refillPerSecond } = bucketLimitOf(detail.limit, detail.ttl);
    const retryAfter = detail.timeToBlockExpire;
    throw new DomainError(
      'rate_limited',
      `This credential may make ${bucket} requests in a burst, refilled at ${refillPerSecond} per second; retry in ${retryAfter} s.`,
      { headers: { 'Retry-After': String(retryAfter) } },
    );
  }
}

/** The REST limits' skip rule: public routes and the platform admin are not counted. */
export function notCounted(execution: ExecutionContext): boolean {
  return !isLimited(requestContextOf(execution));
}

/** The REST tracker: the credential and store the CredentialGuard resolved. */
export function restTracker(request: Record<string, unknown>): string {
  const ctx = (request as unknown as FastifyRequest).dukkadeeContext;
  return ctx ? credentialTracker(ctx) : '';
}
