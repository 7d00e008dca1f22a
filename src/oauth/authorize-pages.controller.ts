import {
  type ArgumentsHost,
  Body,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  Inject,
  Injectable,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type {} from '@fastify/cookie';
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
import { CsrfTokens } from '../web/csrf-tokens';
import { singleValues } from '../web/form-body';
import { PageCookies } from '../web/page-cookies';
import { seeOther, sendDocument } from '../web/page-reply';
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
import { ConsentPage, ErrorPage, NoStorePage, SignInPage } from './pages';
import {
  STAFF_SESSION_COOKIE,
  STAFF_SESSION_SECONDS,
  StaffSession,
  StaffSessions,
} from './staff-sessions';

/** The staff session of the OAuth pages travels only with requests to them. */
const OAUTH_COOKIE_PATH = '/oauth';

/** Never tell other sites which authorization request (client, state) the page was for. */
const REFERRER = { referrer: 'no-referrer' } as const;

/**
 * Too many failed sign-ins for the email or from the address: the form again, with when to retry
 * (429 and Retry-After), rather than a bare error page.
 */
@Catch(TooManyFailedAttempts)
@Injectable()
export class TooManySignInsFilter implements ExceptionFilter<TooManyFailedAttempts> {
  constructor(
    private readonly csrf: CsrfTokens,
    private readonly grants: OAuthGrants,
  ) {}

  async catch(error: TooManyFailedAttempts, host: ArgumentsHost): Promise<void> {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.header('retry-after', String(error.retryAfter));
    const message = `Too many failed sign-ins. Try again in ${error.retryAfter} seconds.`;
    const check = await checkAuthorizationRequest(
      pickParameters(request.query as Record<string, unknown>),
      (clientId) => this.grants.client(clientId),
    );
    if (check.outcome !== 'valid')
      return sendDocument(
        reply,
        429,
        ErrorPage({ title: 'Too many failed sign-ins', message }),
        REFERRER,
      );
    const form = singleValues(request.body as Record<string, unknown> | undefined);
    sendDocument(
      reply,
      429,
      SignInPage({
        appName: check.request.client.name,
        query: queryString(check.request.parameters),
        csrf: this.csrf.issue(request, reply),
        email: 'values' in form ? form.values.email : undefined,
        error: message,
      }),
      REFERRER,
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
 * app with a code. The pages are the hosted UI's kind (TSX templates, src/web): their forms carry
 * CsrfTokens' token, cookies are PageCookies', and sendDocument's headers refuse framing (a
 * consent page in a frame is a clickjacking target) and, here, send no referrer.
 */
@Controller('oauth')
@Public()
// Pages for people, with no credential to count requests against; failed sign-ins are counted.
@SkipThrottle()
@ApiTags('OAuth pages')
@ApiProduces('text/html')
export class AuthorizePagesController {
  private readonly issuer: string;

  constructor(
    private readonly grants: OAuthGrants,
    private readonly server: OAuthServer,
    private readonly sessions: StaffSessions,
    private readonly installations: InstallationsService,
    private readonly failures: FailedAttempts,
    private readonly csrf: CsrfTokens,
    private readonly cookies: PageCookies,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.issuer = config.publicUrl;
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
      return sendDocument(
        reply,
        200,
        SignInPage({
          appName: authorization.client.name,
          query: queryString(authorization.parameters),
          csrf: this.csrf.issue(request, reply),
        }),
        REFERRER,
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
      sendDocument(
        reply,
        status,
        SignInPage({
          appName: authorization.client.name,
          query: queryString(authorization.parameters),
          csrf: this.csrf.issue(request, reply),
          email,
          error,
        }),
        REFERRER,
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
    void reply.setCookie(
      STAFF_SESSION_COOKIE,
      secret,
      this.cookies.options(OAUTH_COOKIE_PATH, STAFF_SESSION_SECONDS),
    );
    seeOther(reply, `/oauth/authorize?${queryString(authorization.parameters)}`);
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
      return seeOther(reply, `/oauth/authorize?${queryString(authorization.parameters)}`);
    if (form.decision !== 'approve') {
      return seeOther(
        reply,
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
      );
    }
    const stores = await this.sessions.memberships(
      platformContext(request),
      session,
      authorization.client.storeId,
    );
    const membership = stores.find((store) => store.storeId === form.store_id);
    if (!membership)
      return sendDocument(
        reply,
        400,
        ErrorPage({ title: 'Choose a store', message: 'Pick one of your stores.' }),
        REFERRER,
      );
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
    seeOther(reply, location);
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
    if (stores.length === 0)
      return sendDocument(reply, 403, NoStorePage({ email: session.email }), REFERRER);
    sendDocument(
      reply,
      200,
      ConsentPage({
        request: authorization,
        stores,
        csrf: this.csrf.issue(request, reply),
        email: session.email,
      }),
      // The approval's redirect goes on to the app: the form may post there too.
      { ...REFERRER, formActions: [cspSource(authorization.redirectUri)] },
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
    const check = await checkAuthorizationRequest(pickParameters(parameters), (clientId) =>
      this.grants.client(clientId),
    );
    if (check.outcome === 'valid') return check.request;
    if (check.outcome === 'show_error')
      sendDocument(
        reply,
        400,
        ErrorPage({ title: 'This link to authorize an app is invalid', message: check.message }),
        REFERRER,
      );
    else seeOther(reply, errorRedirect(check, this.issuer));
    return undefined;
  }

  /** The form's fields once its CSRF token matches this browser's secret; else 403 is sent. */
  private verifiedForm(
    request: FastifyRequest,
    reply: FastifyReply,
    body: Record<string, unknown> | undefined,
  ): Record<string, string> | undefined {
    const form = singleValues(body);
    if ('values' in form && this.csrf.verify(request, form.values._csrf)) return form.values;
    sendDocument(
      reply,
      403,
      ErrorPage({
        title: 'This form has expired',
        message: 'Go back to the app and start again. (The form’s security token did not match.)',
      }),
      REFERRER,
    );
    return undefined;
  }
}

/** The authorization request's own parameters, and nothing else the query or form carries. */
function pickParameters(parameters: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(AUTHORIZATION_PARAMETERS.map((name) => [name, parameters[name]]));
}

function queryString(parameters: Readonly<Record<string, string>>): string {
  return new URLSearchParams(parameters).toString();
}

/** The CSP source of a redirect URI: its origin, or its scheme for a private-use scheme. */
function cspSource(redirectUri: string): string {
  const url = new URL(redirectUri);
  return url.origin === 'null' ? url.protocol : url.origin;
}
