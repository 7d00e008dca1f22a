import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
} from '@nestjs/throttler';
import { FailedAttempts } from './failed-attempts.service';
import {
  countsFailures,
  declaresFailureThrottlers,
  isFailureThrottler,
  TooManyFailedAttempts,
} from './throttle-failures.decorator';
import { bucketLimitOf, TokenBucketStorage } from './token-bucket-storage';

/**
 * The brute-force limits (`@ThrottleFailures`), a global guard of their own after RateLimitGuard.
 * Apart, because @nestjs/throttler's guard walks all its throttlers on every request, reading
 * their metadata and resolving their limits: with the failure throttlers beside the REST one,
 * every API request paid for four throttlers that only the OAuth routes declare. Here a route
 * that declares none is skipped with one metadata read.
 *
 * A failure throttler only looks at its bucket (a take of 0 points): once the target's failures
 * are used up the request is refused before the handler runs; otherwise the guard tells
 * FailedAttempts where the handler's failures go.
 */
@Injectable()
export class FailureThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly buckets: TokenBucketStorage,
    reflector: Reflector,
    private readonly failures: FailedAttempts,
  ) {
    super(options, buckets, reflector);
  }

  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    this.throttlers = this.throttlers.filter((throttler) => isFailureThrottler(throttler.name));
  }

  protected override async shouldSkip(execution: ExecutionContext): Promise<boolean> {
    return execution.getType() !== 'http' || !declaresFailureThrottlers(execution);
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, getTracker, generateKey } = request;
    const name = throttler.name!;
    if (!countsFailures(context, name)) return true;
    const { req } = this.getRequestResponse(context);
    const tracker = await getTracker(req, context);
    // A target the request does not name (a token request without client_id): nothing to count.
    if (!tracker) return true;
    const key = generateKey(context, tracker, name);
    const bucket = bucketLimitOf(limit, ttl);
    const look = await this.buckets.take(key, 0, bucket);
    if (look.remaining < 1) throw new TooManyFailedAttempts(look.secondsUntilAvailable(1));
    this.failures.expect(req, key, bucket);
    return true;
  }

  /** One bucket per throttler and target: `abuse:signIn:someone@example.com`. */
  protected override generateKey(
    _execution: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return `abuse:${name}:${tracker.toLowerCase()}`;
  }
}
