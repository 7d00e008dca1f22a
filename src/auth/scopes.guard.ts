import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/errors/domain-error';
import type { RequestContext } from '../common/request-context';
import { requestContextOf } from './credential-transport';
import { accessRuleOf, GrantedScope } from './require-scopes.decorator';

/**
 * Authorisation, the last global guard: the credential must hold every scope the handler's
 * `@RequireScopes()` names. It runs after the throttler, so a refused call is counted (and its
 * problem carries the RateLimit headers) like any other.
 */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(execution: ExecutionContext): boolean {
    const rule = accessRuleOf(this.reflector, execution);
    if (rule.public) return true;
    const context = requestContextOf(execution);
    if (!context) throw new Error('The credential guard did not run before the scope guard');
    assertScopes(context, rule.scopes);
    return true;
  }
}

export function assertScopes(context: RequestContext, required: readonly GrantedScope[]): void {
  const missing = required.filter((scope) => !context.scopes.has(scope as never));
  if (missing.length === 0) return;
  throw new DomainError(
    'insufficient_scope',
    `This call needs the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`,
    {
      extra: { requiredScopes: required },
      headers: {
        'WWW-Authenticate': `Bearer realm="dukkadee", error="insufficient_scope", scope="${required.join(' ')}"`,
      },
    },
  );
}
