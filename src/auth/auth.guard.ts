import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlContextType, GqlExecutionContext } from '@nestjs/graphql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error';
import { newId } from '../common/ids';
import { RequestContext } from '../common/request-context';
import { authorizationOf, GraphqlContext } from '../graphql/graphql-context';
import { Throttle } from '../throttling/throttle.service';
import { assertUsableFromRequest } from './browser-credentials';
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
    private readonly throttle: Throttle,
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
    const context =
      execution.getType<GqlContextType>() === 'graphql'
        ? await this.resolveGraphql(GqlExecutionContext.create(execution).getContext())
        : await this.resolveHttp(
            execution.switchToHttp().getRequest<FastifyRequest>(),
            execution.switchToHttp().getResponse<FastifyReply>(),
          );
    assertScopes(context, rule.scopes);
    return true;
  }

  private async resolveHttp(request: FastifyRequest, reply: FastifyReply): Promise<RequestContext> {
    const context = await this.credentials.resolve(
      request.headers.authorization,
      String(request.id),
    );
    request.dukkadeeContext = context;
    assertUsableFromRequest(context, request.headers);
    // One point per REST request; a GraphQL operation is charged its cost by the query cost plugin.
    await this.throttle.chargeRequest(context, reply);
    return context;
  }

  /**
   * One credential per GraphQL operation (or WebSocket connection), resolved by the first
   * root field that needs it; each root field then checks its own scopes.
   */
  private async resolveGraphql(gql: GraphqlContext): Promise<RequestContext> {
    if (!gql.dukkadee) {
      const requestId = gql.request ? String(gql.request.id) : newId('req');
      gql.dukkadee = await this.credentials.resolve(authorizationOf(gql), requestId);
      if (gql.request) gql.request.dukkadeeContext = gql.dukkadee;
    }
    // WebSocket connections are checked once, when they open (GraphqlWebSocketServer).
    if (gql.request) assertUsableFromRequest(gql.dukkadee, gql.request.headers);
    return gql.dukkadee;
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
