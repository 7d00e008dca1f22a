import {
  type ArgumentsHost,
  Body,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  Inject,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type {} from '@fastify/cookie';
import Tokens from '@fastify/csrf';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/require-scopes.decorator';
import { CarriesSecret } from '../common/http/cache-control.decorator';
import { RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { FailedAttempts } from '../throttling/failed-attempts.service';
import { TooManyFailedAttempts } from '../throttling/throttle-failures.decorator';
import { ThrottleSignInFailures } from './brute-force-limits';
import {
  AUTHORIZATION_PARAMETERS,
  AuthorizationRequest,
  checkAuthorizationRequest,
  errorRedirect,
} from './authorization-request';
import { singleValues } from '../web/form-body';
import { InstallationsService } from './installations.service';
import { OAuthGrants } from './oauth-grants';
import {
  ApiAuthorizationQuery,
  ApiFormBody,
  ApiHtmlPage,
  ApiSeeOther,
  ConsentForm,
  SignInForm,
} from './oauth-openapi';
import { OAuthServer } from './oauth-server';
import { consentPage, errorPage, noStorePage, signInPage } from './pages';
import {
  STAFF_SESSION_COOKIE,
  STAFF_SESSION_SECONDS,
  StaffSession,
  StaffSessions,
} from './staff-sessions';

const CSRF_COOKIE = 'dk_csrf';

/**
 * Sends a page that no one may frame, that loads nothing from elsewhere, and whose forms post
 * only here (and, from consent, on to the app's redirect URI, where the approval redirects).
 */
function sendPage(reply: FastifyReply, status: number, html: string, redirectUri?: string): void {
  const formAction = ["'self'", redirectUri ? cspSource(redirectUri) : undefined]
    .filter(Boolean)
    .join(' ');
  void reply
    .status(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    })
    .send(html);
}

/** Too many failed sign-ins for the email or from the address: a page that says when to retry. */
@Catch(TooManyFailedAttempts)
class TooManySignInsFilter implements ExceptionFilter<TooManyFailedAttempts> {
  catch(error: TooManyFailedAttempts, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.header('Retry-After', String(error.retryAfter));
    sendPage(
      reply,
      429,
      errorPage(
        'Too many failed sign-ins',
        `Try again in ${error.retryAfter} seconds, or go back to the app and start again.`,
      ),
    );
  }
}

/** The pages act for the platform (a staff session spans stores), under the request's id. */
function platformContext(request: FastifyRequest): RequestContext {
  return RequestContext.system(null, String(request.id));
}

/**
 * The browser side of OAuth: `/oauth/authorize` shows the staff sign-in form when there is no
 * session, then the consent page; approving installs the app and sends the browser back to the
 * app with a code. Pages are rendered here, with no front-end build. Both forms carry a CSRF
 * token bound to a cookie secret (double submit, `@fastify/csrf`), cookies are http-only and
 * same-site, and pages refuse framing (a consent page in a frame is a clickjacking target).
 */
@Controller('oauth')
@Public()
// Pages for people, with no credential to count requests against; failed sign-ins are counted.
@SkipThrottle()
@ApiTags('OAuth pages')
@ApiProduces('text/html')
export class AuthorizePagesController {
  private readonly csrf = new Tokens({ userInfo: false });
  private readonly secureCookies: boolean;
  private readonly issuer: string;

  constructor(
    private readonly grants: OAuthGrants,
    private readonly server: OAuthServer,
    private readonly sessions: StaffSessions,
    private readonly installations: InstallationsService,
    private readonly failures: FailedAttempts,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.issuer = config.publicUrl;
    this.secureCookies = config.publicUrl.startsWith('https:');
  }

  @ApiOperation({
    summary: 'Authorization request (RFC 6749 §4.1.1): the sign-in page, then the consent page',
    description:
      'Opened by the merchant’s browser, not called by the app. Once the client and its redirect URI are known good, errors go back to the app with its state (303); before, they are shown.',
  })
  @ApiAuthorizationQuery()
  @ApiHtmlPage(200, 'The staff sign-in page, or, with a session, the consent page')
  @ApiSeeOther('Back to the app’s redirect URI with error, error_description, state and iss')
  @ApiHtmlPage(400, 'The client_id or redirect_uri is unknown or malformed: shown, not redirected')
  @ApiHtmlPage(403, 'The signed-in staff account belongs to no store this app may be installed on')
  @CarriesSecret()
  @Get('authorize')
  async show(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const authorization = await this.check(reply, query);
    if (!authorization) return;
    const session = await this.sessions.find(
      platformContext(request),
      request.cookies[STAFF_SESSION_COOKIE],
    );
    if (!session) {
      return sendPage(
        reply,
        200,
        signInPage({
          appName: authorization.client.name,
          query: queryString(authorization.parameters),
          csrfToken: this.csrfToken(request, reply),
        }),
      );
    }
    await this.showConsent(request, reply, authorization, session);
  }

  @ApiOperation({
    summary: 'The sign-in form (staff email and password), posted by the page',
    description:
      'The authorization request’s parameters stay in the query string; a new staff session cookie is set on success.',
  })
  @ApiAuthorizationQuery()
  @ApiFormBody(SignInForm)
  @ApiSeeOther('Signed in: back to GET /oauth/authorize for the consent page')
  @ApiHtmlPage(400, 'The authorization request is invalid')
  @ApiHtmlPage(401, 'The email or password is incorrect: the page again, with the error')
  @ApiHtmlPage(403, 'The form’s CSRF token does not match (the form expired)')
  @ApiHtmlPage(429, 'Too many failed sign-ins; see Retry-After')
  @CarriesSecret()
  @ThrottleSignInFailures()
  @UseFilters(TooManySignInsFilter)
  @Post('sign-in')
  async signIn(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query() query: Record<string, unknown>,
    @Body() body: Record<string, unknown> | undefined,
  ): Promise<void> {
    const authorization = await this.check(reply, query);
    if (!authorization) return;
    const form = this.verifiedForm(request, reply, body);
    if (!form) return;
    const email = (form.email ?? '').trim().slice(0, 320);
    const again = (status: number, error: string) =>
      sendPage(
        reply,
        status,
        signInPage({
          appName: authorization.client.name,
          query: queryString(authorization.parameters),
          csrfToken: this.csrfToken(request, reply),
          email,
          error,
        }),
      );
    const staffIds =
      email && form.password
        ? await this.sessions.verify(platformContext(request), email, form.password)
        : [];
    if (staffIds.length === 0) {
      await this.failures.record(request);
      return again(401, 'The email or password is incorrect.');
    }
    // A new session on every sign-in, so a session id planted before it is worthless.
    await this.sessions.close(platformContext(request), request.cookies[STAFF_SESSION_COOKIE]);
    const secret = await this.sessions.open(platformContext(request), email, staffIds);
    void reply.setCookie(STAFF_SESSION_COOKIE, secret, this.cookie(STAFF_SESSION_SECONDS));
    void reply
      .status(303)
      .header('Cache-Control', 'no-store')
      .redirect(`/oauth/authorize?${queryString(authorization.parameters)}`, 303);
  }

  @ApiOperation({
    summary: 'The consent form (approve or deny), posted by the page',
    description:
      'Approving installs the app on the chosen store and sends the browser to the app with code, state and iss.',
  })
  @ApiFormBody(ConsentForm)
  @ApiSeeOther(
    'To the app with a code (approve) or error=access_denied (deny); or to sign in again',
  )
  @ApiHtmlPage(400, 'The authorization request is invalid, or the store is not one of the staff’s')
  @ApiHtmlPage(403, 'The form’s CSRF token does not match (the form expired)')
  @CarriesSecret()
  @Post('authorize')
  async decide(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: Record<string, unknown> | undefined,
  ): Promise<void> {
    const form = this.verifiedForm(request, reply, body);
    if (!form) return;
    const authorization = await this.check(reply, form);
    if (!authorization) return;
    const session = await this.sessions.find(
      platformContext(request),
      request.cookies[STAFF_SESSION_COOKIE],
    );
    if (!session)
      return void reply.redirect(`/oauth/authorize?${queryString(authorization.parameters)}`, 303);
    if (form.decision !== 'approve') {
      return void reply.redirect(
        errorRedirect(
          {
            outcome: 'redirect_error',
            redirectUri: authorization.redirectUri,
            state: authorization.state,
            error: 'access_denied',
            description: 'The merchant denied the request.',
          },
          this.issuer,
        ),
        303,
      );
    }
    const stores = await this.sessions.memberships(
      platformContext(request),
      session,
      authorization.client.storeId,
    );
    const membership = stores.find((store) => store.storeId === form.store_id);
    if (!membership)
      return sendPage(reply, 400, errorPage('Choose a store', 'Pick one of your stores.'));
    const installationId = await this.installations.install(
      platformContext(request),
      authorization.client.appId,
      membership.storeId,
      membership.staffId,
      authorization.scopes,
    );
    const location = await this.server.authorize(
      { method: 'POST', headers: {}, query: {}, body: { ...authorization.parameters } },
      { storeId: membership.storeId, installationId, staffId: membership.staffId },
    );
    void reply.header('Cache-Control', 'no-store').redirect(location, 303);
  }

  private async showConsent(
    request: FastifyRequest,
    reply: FastifyReply,
    authorization: AuthorizationRequest,
    session: StaffSession,
  ): Promise<void> {
    const stores = await this.sessions.memberships(
      platformContext(request),
      session,
      authorization.client.storeId,
    );
    if (stores.length === 0) return sendPage(reply, 403, noStorePage(session.email));
    sendPage(
      reply,
      200,
      consentPage({
        request: authorization,
        stores,
        csrfToken: this.csrfToken(request, reply),
        email: session.email,
      }),
      authorization.redirectUri,
    );
  }

  /**
   * The authorization request, or undefined once the answer is sent: an error page while the
   * client or redirect URI is unknown, a redirect to the client with the error after that.
   */
  private async check(
    reply: FastifyReply,
    parameters: Readonly<Record<string, unknown>>,
  ): Promise<AuthorizationRequest | undefined> {
    const picked = Object.fromEntries(
      AUTHORIZATION_PARAMETERS.map((name) => [name, parameters[name]]),
    );
    const check = await checkAuthorizationRequest(picked, (clientId) =>
      this.grants.client(clientId),
    );
    if (check.outcome === 'valid') return check.request;
    if (check.outcome === 'show_error')
      sendPage(reply, 400, errorPage('This link to authorize an app is invalid', check.message));
    else
      void reply
        .header('Cache-Control', 'no-store')
        .redirect(errorRedirect(check, this.issuer), 303);
    return undefined;
  }

  /** The form's fields once its CSRF token matches this browser's secret; else 403 is sent. */
  private verifiedForm(
    request: FastifyRequest,
    reply: FastifyReply,
    body: Record<string, unknown> | undefined,
  ): Record<string, string> | undefined {
    const form = singleValues(body);
    const secret = request.cookies[CSRF_COOKIE];
    if (
      'values' in form &&
      secret &&
      form.values._csrf &&
      this.csrf.verify(secret, form.values._csrf)
    )
      return form.values;
    sendPage(
      reply,
      403,
      errorPage(
        'This form has expired',
        'Go back to the app and start again. (The form’s security token did not match.)',
      ),
    );
    return undefined;
  }

  private csrfToken(request: FastifyRequest, reply: FastifyReply): string {
    let secret = request.cookies[CSRF_COOKIE];
    if (!secret) {
      secret = this.csrf.secretSync();
      void reply.setCookie(CSRF_COOKIE, secret, this.cookie(STAFF_SESSION_SECONDS));
    }
    return this.csrf.create(secret);
  }

  private cookie(maxAgeSeconds: number) {
    return {
      path: '/oauth',
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: this.secureCookies,
      maxAge: maxAgeSeconds,
    };
  }
}

function queryString(parameters: Readonly<Record<string, string>>): string {
  return new URLSearchParams(parameters).toString();
}

/** The CSP source of a redirect URI: its origin, or its scheme for a private-use scheme. */
function cspSource(redirectUri: string): string {
  const url = new URL(redirectUri);
  return url.origin === 'null' ? url.protocol : url.origin;
}
