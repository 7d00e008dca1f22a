import {
  type ArgumentsHost,
  Body,
  Catch,
  type ExceptionFilter,
  Get,
  Injectable,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestContext } from '../../common/request-context';
import { ThrottleSignInFailures } from '../../oauth/brute-force-limits';
import {
  STAFF_SESSION_COOKIE,
  STAFF_SESSION_SECONDS,
  StaffSessions,
} from '../../oauth/staff-sessions';
import { StoreHostsService } from '../../platform/store-hosts.service';
import type { HostedStore } from '../../platform/stores.service';
import { HostedNotFoundPage } from '../not-found-page';
import { HostedPages } from '../hosted-pages.decorator';
import { FailedAttempts } from '../../throttling/failed-attempts.service';
import { TooManyFailedAttempts } from '../../throttling/throttle-failures.decorator';
import { CsrfTokens } from '../../web/csrf-tokens';
import { singleValues } from '../../web/form-body';
import { PageCookies } from '../../web/page-cookies';
import { seeOther, sendDocument } from '../../web/page-reply';
import { hostedState, Store } from '../hosted-request';
import { SignInPage } from './sign-in-page';

/** The admin cookie's path: the session never travels with storefront or API requests. */
export const ADMIN_COOKIE_PATH = '/admin';

/** Only a page of the admin may follow sign-in: `next` never sends the browser elsewhere. */
function adminPath(next: unknown): string {
  return typeof next === 'string' &&
    /^\/admin(\/[\w\-/?=&%.]*)?$/.test(next) &&
    !next.startsWith('//')
    ? next
    : '/admin';
}

/**
 * Too many failed sign-ins for the email or from the address: the form again, with when to retry
 * (429 and Retry-After), rather than a bare error page.
 */
@Catch(TooManyFailedAttempts)
@Injectable()
export class TooManyAdminSignInsFilter implements ExceptionFilter<TooManyFailedAttempts> {
  constructor(
    private readonly csrf: CsrfTokens,
    private readonly hosts: StoreHostsService,
    private readonly notFound: HostedNotFoundPage,
  ) {}

  async catch(error: TooManyFailedAttempts, host: ArgumentsHost): Promise<void> {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    // The throttler is an application guard, so it refuses before the page's own guards have
    // found the store: the host is resolved here (from the cache the guard uses).
    const store =
      hostedState(request).store ??
      (await this.hosts.resolve(request.headers.host, String(request.id)));
    if (!store) return this.notFound.send(request, reply);
    const form = singleValues(request.body as Record<string, unknown> | undefined);
    void reply.header('retry-after', String(error.retryAfter));
    sendDocument(
      reply,
      429,
      SignInPage({
        store,
        csrf: this.csrf.issue(request, reply),
        next: adminPath((request.query as Record<string, unknown>).next),
        email: 'values' in form ? form.values.email : undefined,
        error: `Too many failed sign-ins. Try again in ${error.retryAfter} seconds.`,
      }),
    );
  }
}

/**
 * Staff sign-in and sign-out of the store's admin. The password check and the session are the
 * OAuth pages' (StaffSessions); a session opened here holds only this store's account, and its
 * cookie is host-only, so it opens nothing on another store's host.
 */
@HostedPages('admin')
export class SignInController {
  constructor(
    private readonly sessions: StaffSessions,
    private readonly failures: FailedAttempts,
    private readonly csrf: CsrfTokens,
    private readonly cookies: PageCookies,
  ) {}

  @Get('sign-in')
  async show(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @Query('next') next: unknown,
  ): Promise<void> {
    const secret = request.cookies[STAFF_SESSION_COOKIE];
    const account = await this.sessions.accountOn(this.platform(request), secret, store.id);
    if (account) return seeOther(reply, adminPath(next));
    this.page(request, reply, store, 200, { next: adminPath(next) });
  }

  @ThrottleSignInFailures()
  @UseFilters(TooManyAdminSignInsFilter)
  @Post('sign-in')
  async signIn(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @Query('next') next: unknown,
    @Body() body: Record<string, unknown> | undefined,
  ): Promise<void> {
    const form = singleValues(body);
    const values = 'values' in form ? form.values : {};
    const email = (values.email ?? '').trim().slice(0, 320);
    const ctx = this.platform(request);
    const staffIds =
      email && values.password ? await this.sessions.verify(ctx, email, values.password) : [];
    const [membership] = staffIds.length
      ? await this.sessions.memberships(ctx, { email, staffIds }, store.id)
      : [];
    if (!membership) {
      await this.failures.record(request);
      return this.page(request, reply, store, 401, {
        next: adminPath(next),
        email,
        error: 'The email or password is incorrect.',
      });
    }
    // A new session on every sign-in, so a session id planted before it is worthless.
    await this.sessions.close(ctx, request.cookies[STAFF_SESSION_COOKIE]);
    const secret = await this.sessions.open(ctx, email, [membership.staffId]);
    void reply.setCookie(
      STAFF_SESSION_COOKIE,
      secret,
      this.cookies.options(ADMIN_COOKIE_PATH, STAFF_SESSION_SECONDS),
    );
    seeOther(reply, adminPath(next));
  }

  @Post('sign-out')
  async signOut(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.sessions.close(this.platform(request), request.cookies[STAFF_SESSION_COOKIE]);
    void reply.clearCookie(STAFF_SESSION_COOKIE, this.cookies.options(ADMIN_COOKIE_PATH));
    seeOther(reply, '/admin/sign-in');
  }

  private page(
    request: FastifyRequest,
    reply: FastifyReply,
    store: HostedStore,
    status: number,
    props: { next: string; email?: string; error?: string },
  ): void {
    sendDocument(
      reply,
      status,
      SignInPage({ store, csrf: this.csrf.issue(request, reply), ...props }),
    );
  }

  /** Sessions are platform records (a person may work for several stores). */
  private platform(request: FastifyRequest): RequestContext {
    return RequestContext.system(null, String(request.id));
  }
}
