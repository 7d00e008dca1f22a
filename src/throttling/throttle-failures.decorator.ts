import { applyDecorators, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Throttle, ThrottlerException, ThrottlerOptions } from '@nestjs/throttler';

const FAILURES_ONLY = 'dukkadee:throttle-failures';

/**
 * `@Throttle()` for brute-force limits (passwords, client secrets, codes): the named throttlers
 * count only the failures the handler reports with `FailedAttempts.record(request)`, so an app
 * refreshing the tokens of thousands of stores is never slowed. While a target (an email, a
 * client, an address) has failures left, its requests go ahead; once they are used up, the guard
 * answers 429 with Retry-After before the handler runs.
 */
export function ThrottleFailures(throttlers: Parameters<typeof Throttle>[0]) {
  return applyDecorators(Throttle(throttlers), SetMetadata(FAILURES_ONLY, Object.keys(throttlers)));
}

/** The failure throttlers a handler declares (ThrottleFailures), if any. */
function failureThrottlersOf(execution: ExecutionContext): readonly string[] | undefined {
  return Reflect.getMetadata(FAILURES_ONLY, execution.getHandler()) as string[] | undefined;
}

/** Whether the handler counts this throttler's failures (ThrottleFailures). */
export function countsFailures(execution: ExecutionContext, throttler: string): boolean {
  return failureThrottlersOf(execution)?.includes(throttler) ?? false;
}

/** Whether the handler declares any failure throttler: every other route skips their guard. */
export function declaresFailureThrottlers(execution: ExecutionContext): boolean {
  return failureThrottlersOf(execution) !== undefined;
}

const FAILURE_THROTTLERS = new Set<string>();

/** Whether a throttler of ThrottlerModule's list is one of failureThrottler's. */
export function isFailureThrottler(name: string | undefined): boolean {
  return name !== undefined && FAILURE_THROTTLERS.has(name);
}

/**
 * A failure-counting throttler for ThrottlerModule's list. Unlike the package's named throttlers,
 * which apply to every route, it applies only where a route declares it, with its limit there.
 */
export function failureThrottler(name: string): ThrottlerOptions {
  FAILURE_THROTTLERS.add(name);
  return { name, limit: 0, ttl: 1, skipIf: (execution) => !countsFailures(execution, name) };
}

/** The 429 of a target whose failures are used up; each controller answers it in its format. */
export class TooManyFailedAttempts extends ThrottlerException {
  constructor(readonly retryAfter: number) {
    super(`Too many failed attempts; try again in ${retryAfter} seconds.`);
  }
}
