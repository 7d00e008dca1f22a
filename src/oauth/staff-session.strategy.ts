import { Injectable } from '@nestjs/common';
import { Strategy as CustomStrategy } from 'passport-custom';
import { Authenticator } from '../auth/authenticator';
import type { CredentialRequest } from '../auth/credential-request';
import { CredentialStrategy } from '../auth/credential-strategy';
import { RequestContext } from '../common/request-context';
import { Scope, SCOPES } from '../common/scopes';
import type { StaffRole } from '../platform/staff.service';
import { StoreHostsService } from '../platform/store-hosts.service';
import { STAFF_SESSION_COOKIE, StaffSessions } from './staff-sessions';

export const STAFF_SESSION_STRATEGY = 'staff-session';

/** What only an owner may touch: the developer settings (keys, webhooks, sync; CONTRACT.md). */
const OWNER_ONLY: ReadonlySet<Scope> = new Set(['read_webhooks', 'write_webhooks', 'sync']);

const SCOPES_OF_ROLE: Readonly<Record<StaffRole, readonly Scope[]>> = {
  owner: SCOPES,
  staff: SCOPES.filter((scope) => !OWNER_ONLY.has(scope)),
};

/**
 * The hosted UI's credential: the staff session cookie (opened by signing in), on the host of a
 * store (`<handle>.<BASE_DOMAIN>` or one of its domains) where the session holds an account.
 * The actor is that staff account, of type `staff`, for that store only: the same cookie on
 * another store's host opens nothing there. Not one of the API's strategies (which take bearer
 * tokens only); hosted pages authenticate with `Authenticator.authenticate(request, [this])`.
 */
@Injectable()
export class StaffSessionStrategy extends CredentialStrategy(
  CustomStrategy,
  STAFF_SESSION_STRATEGY,
) {
  constructor(
    private readonly sessions: StaffSessions,
    private readonly hosts: StoreHostsService,
    authenticator: Authenticator,
  ) {
    super();
    authenticator.use(STAFF_SESSION_STRATEGY, this);
  }

  async validate(request: CredentialRequest): Promise<RequestContext | false> {
    const secret = request.cookies[STAFF_SESSION_COOKIE];
    if (!secret || !request.host) return false;
    const store = await this.hosts.resolve(request.host, request.requestId);
    if (!store) return false;
    const storeId = store.id;
    const platform = RequestContext.system(null, request.requestId);
    const account = await this.sessions.accountOn(platform, secret, storeId);
    if (!account) return false;
    return new RequestContext(
      request.requestId,
      storeId,
      { type: 'staff', id: account.staffId },
      SCOPES_OF_ROLE[account.role],
    );
  }
}
