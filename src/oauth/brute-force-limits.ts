import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { seconds } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ThrottleFailures, TooManyFailedAttempts } from '../throttling/throttle-failures.decorator';
import { basicCredentials } from './client-authentication';

/** A field of the posted form as a throttler's target; '' (nothing to count) when absent. */
function formField(name: string, maxLength: number) {
  return (request: Record<string, unknown>): string => {
    const body = (request as unknown as FastifyRequest).body as Record<string, unknown> | null;
    const value = body?.[name];
    return typeof value === 'string' ? value.trim().slice(0, maxLength) : '';
  };
}

/** The client a token request names: its form's `client_id`, or its Basic credentials'. */
function clientOf(request: Record<string, unknown>): string {
  const fromForm = formField('client_id', 100)(request);
  if (fromForm) return fromForm;
  const authorization = (request as unknown as FastifyRequest).headers.authorization;
  return authorization ? (basicCredentials(authorization)?.clientId.slice(0, 100) ?? '') : '';
}

/**
 * Guessing a staff password: five wrong ones for an email, then one more a minute; twenty from
 * one address (of any emails), then one every six seconds.
 */
export const ThrottleSignInFailures = () =>
  ThrottleFailures({
    signIn: { limit: 5, ttl: seconds(300), getTracker: formField('email', 320) },
    signInAddress: { limit: 20, ttl: seconds(120) },
  });

/**
 * Guessing a client secret, a code or a refresh token: twenty failures per client and per
 * address, refilled at one a second.
 */
export const ThrottleClientFailures = () =>
  ThrottleFailures({
    tokenClient: { limit: 20, ttl: seconds(20), getTracker: clientOf },
    tokenAddress: { limit: 20, ttl: seconds(20) },
  });

/** The machine endpoints answer a used-up target in OAuth's error format (RFC 6749 §5.2). */
@Catch(TooManyFailedAttempts)
export class OAuthTooManyAttemptsFilter implements ExceptionFilter<TooManyFailedAttempts> {
  catch(error: TooManyFailedAttempts, host: ArgumentsHost): void {
    void host
      .switchToHttp()
      .getResponse<FastifyReply>()
      .status(429)
      .headers({
        'retry-after': String(error.retryAfter),
        'cache-control': 'no-store',
        pragma: 'no-cache',
      })
      .type('application/json')
      .send({
        error: 'rate_limited',
        error_description: `Too many failed attempts; try again in ${error.retryAfter} seconds.`,
      });
  }
}
