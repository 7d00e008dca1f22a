import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Authenticator } from '../../auth/authenticator';
import { CredentialRequest } from '../../auth/credential-request';
import type { RequestContext } from '../../common/request-context';
import { STAFF_SESSION_STRATEGY } from '../../oauth/staff-session.strategy';
import { hostedState } from '../hosted-request';
import { PageForbidden, SignInRequired } from '../page-errors';

const OWNER_ONLY = 'hosted:owner-only';

/** The page is for the store's owners only (the developer settings); staff get 403. */
export const OwnerOnly = () => SetMetadata(OWNER_ONLY, true);

/** An owner's context holds the scopes only owners get (staff-session.strategy.ts). */
export function isOwner(ctx: RequestContext): boolean {
  return ctx.hasScope('write_webhooks');
}

/**
 * The admin's pages need a staff session on this store's host, checked by the same Passport
 * strategy the Authenticator runs for every credential. Without one, the browser is sent to the
 * sign-in page (and back afterwards).
 */
@Injectable()
export class AdminSessionGuard implements CanActivate {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    const request = execution.switchToHttp().getRequest<FastifyRequest>();
    const staff = await this.authenticator
      .authenticate(
        new CredentialRequest(undefined, request.cookies, request.headers.host, String(request.id)),
        [STAFF_SESSION_STRATEGY],
      )
      .catch(() => undefined);
    if (!staff) throw new SignInRequired(request.method === 'GET' ? request.url : '/admin');
    const ownerOnly = this.reflector.getAllAndOverride<boolean>(OWNER_ONLY, [
      execution.getHandler(),
      execution.getClass(),
    ]);
    if (ownerOnly && !isOwner(staff))
      throw new PageForbidden('Only the store’s owners may open the developer settings.');
    hostedState(request).staff = staff;
    return true;
  }
}
