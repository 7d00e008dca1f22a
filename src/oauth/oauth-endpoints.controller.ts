import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Post,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/require-scopes.decorator';
import { CacheControl, CarriesSecret } from '../common/http/cache-control.decorator';
import { APP_CONFIG, AppConfig } from '../config/config';
import { FailedAttempts } from '../throttling/failed-attempts.service';
import { OAuthTooManyAttemptsFilter, ThrottleClientFailures } from './brute-force-limits';
import { authenticateClient, basicCredentials } from './client-authentication';
import { FORM_CONTENT_TYPE, singleValues } from '../web/form-body';
import { OAuthGrants, TokenInfo } from './oauth-grants';
import { authorizationServerMetadata } from './oauth-metadata';
import {
  ApiFormBody,
  ApiOAuthError,
  AuthorizationCodeTokenRequest,
  AuthorizationServerMetadata,
  ClientCredentialsTokenRequest,
  IntrospectionResponse,
  RefreshTokenRequest,
  TOKEN_ENDPOINT_DESCRIPTION,
  TokenIntrospectionRequest,
  TokenResponse,
  TokenRevocationRequest,
} from './oauth-openapi';
import { OAuthHttpAnswer, OAuthServer } from './oauth-server';

/**
 * The machine-facing OAuth endpoints. They answer in OAuth's own error format (RFC 6749 §5.2,
 * `{"error", "error_description"}`), which standard client libraries parse, not in problem+json.
 */
@Controller()
@Public()
// No credential to count requests against; failed client authentications are counted instead.
@SkipThrottle()
@UseFilters(OAuthTooManyAttemptsFilter)
@ApiTags('OAuth')
export class OAuthEndpointsController {
  private readonly metadata: ReturnType<typeof authorizationServerMetadata>;

  constructor(
    private readonly server: OAuthServer,
    private readonly grants: OAuthGrants,
    private readonly failures: FailedAttempts,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.metadata = authorizationServerMetadata(config.publicUrl);
  }

  @ApiOperation({ summary: 'Authorization server metadata (RFC 8414)' })
  @ApiResponse({ status: 200, type: AuthorizationServerMetadata, description: 'The metadata' })
  @CacheControl('public, max-age=3600')
  @Get('.well-known/oauth-authorization-server')
  discovery(): AuthorizationServerMetadata {
    return this.metadata;
  }

  @ApiOperation({ summary: 'Token endpoint', description: TOKEN_ENDPOINT_DESCRIPTION })
  @ApiFormBody(AuthorizationCodeTokenRequest, RefreshTokenRequest, ClientCredentialsTokenRequest)
  @ApiSecurity({})
  @ApiSecurity('basic')
  @ApiResponse({ status: 200, type: TokenResponse, description: 'The tokens' })
  @ApiOAuthError(400, 'invalid_request, invalid_grant, unauthorized_client, invalid_scope…')
  @ApiOAuthError(401, 'invalid_client, with WWW-Authenticate: Basic')
  @ApiOAuthError(429, 'rate_limited: too many failed attempts; see Retry-After')
  @CarriesSecret()
  @ThrottleClientFailures()
  @Post('oauth/token')
  async token(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: Record<string, unknown> | undefined,
  ): Promise<void> {
    const form = this.form(request, body);
    if ('answer' in form) return send(reply, form.answer);
    const headers = stringHeaders(request);
    if (headers.authorization) {
      // The library reads Basic credentials without the form-decoding RFC 6749 §2.3.1 asks
      // for: it gets them decoded, re-encoded as plain Basic.
      const basic = basicCredentials(headers.authorization);
      if (!basic) {
        await this.failures.record(request);
        return send(reply, invalidClient());
      }
      headers.authorization = `Basic ${Buffer.from(`${basic.clientId}:${basic.clientSecret}`).toString('base64')}`;
    }
    const answer = await this.server.token({
      method: 'POST',
      headers,
      query: {},
      body: form.values,
    });
    if (answer.status === 401 || isGuessFailure(answer)) await this.failures.record(request);
    send(reply, answer);
  }

  /**
   * RFC 7009. Revoking a refresh token ends its whole grant (every token issued from the same
   * authorization); revoking an access token ends that token. A token that is unknown, already
   * revoked or another client's is answered 200 all the same, so the answer reveals nothing.
   */
  @ApiOperation({
    summary: 'Revocation (RFC 7009)',
    description: 'Revoking a refresh token ends its whole grant; an access token, that token.',
  })
  @ApiFormBody(TokenRevocationRequest)
  @ApiSecurity({})
  @ApiSecurity('basic')
  @ApiResponse({
    status: 200,
    description: 'Revoked, or unknown, or another app’s: the answer is the same',
    content: { 'application/json': { schema: { type: 'object', additionalProperties: false } } },
  })
  @ApiOAuthError(400, 'invalid_request')
  @ApiOAuthError(401, 'invalid_client')
  @ApiOAuthError(429, 'rate_limited')
  @CacheControl('no-store')
  @ThrottleClientFailures()
  @Post('oauth/revoke')
  @HttpCode(200)
  async revoke(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: Record<string, unknown> | undefined,
  ): Promise<void> {
    const presented = await this.ownToken(request, body, { allowPublic: true });
    if ('answer' in presented) return send(reply, presented.answer);
    const { token } = presented;
    if (token) {
      if (token.kind === 'refresh') await this.grants.revokeGrant(token.grantId);
      else await this.grants.revokeToken(token.tokenId);
    }
    send(reply, { status: 200, headers: { 'cache-control': 'no-store' }, body: {} });
  }

  /**
   * RFC 7662, for the app's own tokens only: any other token, valid or not, is `active: false`,
   * so one app cannot learn about another's.
   */
  @ApiOperation({
    summary: 'Introspection (RFC 7662)',
    description:
      'For the calling app’s own tokens; the app must authenticate (Basic or client_secret_post).',
  })
  @ApiFormBody(TokenIntrospectionRequest)
  @ApiSecurity({})
  @ApiSecurity('basic')
  @ApiResponse({ status: 200, type: IntrospectionResponse, description: 'What the token is' })
  @ApiOAuthError(400, 'invalid_request')
  @ApiOAuthError(401, 'invalid_client')
  @ApiOAuthError(429, 'rate_limited')
  @CacheControl('no-store')
  @ThrottleClientFailures()
  @Post('oauth/introspect')
  @HttpCode(200)
  async introspect(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: Record<string, unknown> | undefined,
  ): Promise<void> {
    const presented = await this.ownToken(request, body, { allowPublic: false });
    if ('answer' in presented) return send(reply, presented.answer);
    const { token } = presented;
    const body200 = token?.active
      ? {
          active: true,
          scope: token.scopes.join(' '),
          client_id: token.clientId,
          token_type: token.kind === 'access' ? 'Bearer' : 'refresh_token',
          exp: Math.floor(token.expiresAt.getTime() / 1000),
          iat: Math.floor(token.createdAt.getTime() / 1000),
          sub: token.storeId,
          store_id: token.storeId,
          iss: this.metadata.issuer,
        }
      : { active: false };
    send(reply, { status: 200, headers: { 'cache-control': 'no-store' }, body: body200 });
  }

  /**
   * The `token` parameter of a revocation or introspection, if it is the authenticated client's
   * own (undefined otherwise: unknown and foreign tokens are treated alike), or the answer
   * refusing the request.
   */
  private async ownToken(
    request: FastifyRequest,
    body: Record<string, unknown> | undefined,
    options: { allowPublic: boolean },
  ): Promise<{ token: TokenInfo | undefined } | { answer: OAuthHttpAnswer }> {
    const form = this.form(request, body);
    if ('answer' in form) return form;
    const client = await this.client(request, form.values, options.allowPublic);
    if ('answer' in client) return client;
    if (!form.values.token) return { answer: invalidRequest('The token parameter is missing.') };
    const token = await this.grants.tokenInfo(form.values.token);
    return { token: token?.appId === client.appId ? token : undefined };
  }

  /** The form's parameters, or the answer refusing it (wrong media type, repeated parameter). */
  private form(
    request: FastifyRequest,
    body: Record<string, unknown> | undefined,
  ): { values: Record<string, string> } | { answer: OAuthHttpAnswer } {
    if (!request.headers['content-type']?.toLowerCase().startsWith(FORM_CONTENT_TYPE))
      return { answer: invalidRequest(`Send the parameters as ${FORM_CONTENT_TYPE}.`) };
    const form = singleValues(body);
    if ('invalid' in form)
      return { answer: invalidRequest(`The parameter ${form.invalid} is repeated or malformed.`) };
    return form;
  }

  private async client(
    request: FastifyRequest,
    form: Record<string, string>,
    allowPublic: boolean,
  ): Promise<{ appId: string } | { answer: OAuthHttpAnswer }> {
    const result = await authenticateClient(this.grants, request.headers.authorization, form, {
      allowPublic,
    });
    if (result.outcome === 'authenticated') return { appId: result.client.appId };
    await this.failures.record(request);
    return { answer: invalidClient() };
  }
}

/** A wrong code, code verifier or refresh token: what someone guessing would get. */
function isGuessFailure(answer: OAuthHttpAnswer): boolean {
  const error = (answer.body as { error?: string }).error;
  return error === 'invalid_client' || error === 'invalid_grant';
}

function invalidClient(): OAuthHttpAnswer {
  return {
    status: 401,
    headers: { 'www-authenticate': 'Basic realm="dukkadee"', 'cache-control': 'no-store' },
    body: { error: 'invalid_client', error_description: 'Client authentication failed.' },
  };
}

function invalidRequest(description: string): OAuthHttpAnswer {
  return {
    status: 400,
    headers: { 'cache-control': 'no-store' },
    body: { error: 'invalid_request', error_description: description },
  };
}

function stringHeaders(request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (typeof value === 'string') headers[name] = value;
  return headers;
}

/**
 * Browser apps (public clients) call these endpoints from their own origin, which src/app/cors.ts
 * allows: the answers carry nothing a cookie unlocks, and a token request proves itself with its
 * own parameters (code verifier, client secret), never with ambient credentials.
 */
function send(reply: FastifyReply, answer: OAuthHttpAnswer): void {
  void reply
    .status(answer.status)
    .headers({ pragma: 'no-cache', ...answer.headers })
    .type('application/json')
    .send(answer.body);
}
