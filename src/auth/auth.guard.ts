import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error';
import { RequestContext } from '../common/request-context';
import { CredentialResolver } from './credential-resolver';
import { ACCESS_METADATA, AccessRule, GrantedScope } from './require-scopes.decorator';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the guard once the credential is resolved; read by `@Ctx()` and the request log. */
    dukkadeeContext?: RequestContext;
  }
}

/** The one authentication and scope guard, registered globally. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialResolver,
  ) {}

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
      execution.getHandler(),
      execution.getClass(),
    ]);
    if (!rule) {
      throw new Error(
        `${execution.getClass().name}.${execution.getHandler().name} declares no access rule`,
      );
    }
    if (rule.public) return true;
    const request = execution.switchToHttp().getRequest<FastifyRequest>();
    const context = await this.credentials.resolve(
      request.headers.authorization,
      String(request.id),
    );
    request.dukkadeeContext = context;
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
