import { Inject, Injectable } from '@nestjs/common';
import OAuth2Server, {
  AuthorizationCode,
  Client,
  Falsey,
  OAuthError,
  RefreshToken,
  Request,
  Response,
  Token,
  User,
} from '@node-oauth/oauth2-server';
import { APP_CONFIG, AppConfig } from '../config/config';
import {
  GrantSubject,
  newGrantId,
  OAUTH_LIFETIMES,
  OAuthClient,
  OAuthGrants,
} from './oauth-grants';
import { generateSecret } from './oauth-secrets';

/** What the library carries as its `client`: our app, under the names it expects. */
interface LibraryClient extends Client {
  readonly app: OAuthClient;
}

export interface OAuthHttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export interface PlainRequest {
  readonly method: string;
  readonly headers: Record<string, string>;
  /** One string per parameter: a repeated parameter is refused before it gets here. */
  readonly query: Record<string, string>;
  readonly body: Record<string, string>;
}

/**
 * The authorization and token endpoints, run by `@node-oauth/oauth2-server` over our storage.
 * The library checks the protocol (grant types, client authentication, PKCE verification, exact
 * redirect URIs, state); the model below decides what our rules add to it: confidential clients
 * must authenticate and public ones cannot, S256 only, scopes within the app's, refresh tokens
 * rotated with reuse detection.
 */
@Injectable()
export class OAuthServer {
  private readonly server: OAuth2Server;
  private readonly issuer: string;

  constructor(
    private readonly grants: OAuthGrants,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.issuer = config.publicUrl;
    this.server = new OAuth2Server({
      model: this.tokenModel(),
      accessTokenLifetime: OAUTH_LIFETIMES.accessTokenSeconds,
      refreshTokenLifetime: OAUTH_LIFETIMES.refreshTokenSeconds,
      authorizationCodeLifetime: OAUTH_LIFETIMES.authorizationCodeSeconds,
      alwaysIssueNewRefreshToken: true,
      allowEmptyState: false,
      // Not in the library's typings, but read by its handlers: `plain` PKCE is refused.
      ...{ enablePlainPKCE: false },
      // Public clients authenticate by PKCE (code) or not at all (refresh); the model still
      // refuses a confidential client that presents no secret.
      requireClientAuthentication: { authorization_code: false, refresh_token: false },
    });
  }

  /** `POST /oauth/token`: the answer (RFC 6749 §5), success or error, ready to send. */
  async token(request: PlainRequest): Promise<OAuthHttpAnswer> {
    const response = new Response({ headers: {} });
    try {
      await this.server.token(new Request(request), response);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      return oauthErrorAnswer(error, response);
    }
    return { status: 200, headers: stringHeaders(response.headers), body: response.body };
  }

  /**
   * Issues a code for an approved authorization request and answers where to send the browser:
   * the redirect URI with `code`, `state` and `iss` (RFC 9207), or with the error.
   */
  async authorize(request: PlainRequest, subject: Omit<GrantSubject, 'grantId'>): Promise<string> {
    const response = new Response({ headers: {} });
    const user: User = { ...subject, grantId: newGrantId() };
    try {
      await this.server.authorize(new Request(request), response, {
        authenticateHandler: { handle: () => user },
      });
    } catch (error) {
      if (!(error instanceof OAuthError) || !response.get('location')) throw error;
    }
    const location = new URL(String(response.get('location')));
    location.searchParams.set('iss', this.issuer);
    return location.toString();
  }

  private tokenModel(): OAuth2Server.AuthorizationCodeModel &
    OAuth2Server.RefreshTokenModel &
    OAuth2Server.ClientCredentialsModel {
    const grants = this.grants;
    return {
      async getClient(clientId: string, clientSecret: string | null) {
        // The authorize handler looks the client up without a secret (null); the token
        // handler passes what the request carried (undefined when nothing).
        const app =
          clientSecret === null
            ? await grants.client(clientId)
            : await grants.authenticateClient(clientId, clientSecret);
        return app && libraryClient(app);
      },

      async validateScope(_user: User, client: Client, scope?: string[]) {
        const { app } = client as LibraryClient;
        const requested = scope ?? [...app.scopes];
        return requested.every((name) => app.scopes.includes(name)) ? requested : false;
      },

      async saveAuthorizationCode(code, client, user) {
        await grants.saveCode(code.authorizationCode, {
          appId: (client as LibraryClient).app.appId,
          subject: user as GrantSubject,
          scopes: code.scope ?? [],
          redirectUri: code.redirectUri,
          codeChallenge: code.codeChallenge ?? null,
          codeChallengeMethod: code.codeChallengeMethod ?? null,
          expiresAt: code.expiresAt,
        });
        return { ...code, client, user };
      },

      async getAuthorizationCode(code: string): Promise<AuthorizationCode | Falsey> {
        const stored = await grants.findCode(code);
        if (!stored) return undefined;
        return {
          authorizationCode: code,
          expiresAt: stored.expiresAt,
          redirectUri: stored.redirectUri,
          scope: stored.scopes,
          codeChallenge: stored.codeChallenge ?? undefined,
          codeChallengeMethod: stored.codeChallengeMethod ?? undefined,
          client: { id: stored.appId, grants: [] },
          user: stored.subject,
        };
      },

      async revokeAuthorizationCode(code: AuthorizationCode) {
        return grants.redeemCode(code.authorizationCode);
      },

      async getUserFromClient(client: Client) {
        const { app } = client as LibraryClient;
        if (!app.storeId) return false;
        return {
          storeId: app.storeId,
          installationId: null,
          staffId: null,
          grantId: newGrantId(),
        } satisfies GrantSubject;
      },

      async getRefreshToken(refreshToken: string): Promise<RefreshToken | Falsey> {
        const stored = await grants.findRefreshToken(refreshToken);
        if (!stored) return undefined;
        return {
          refreshToken,
          refreshTokenExpiresAt: stored.expiresAt,
          scope: stored.scopes,
          client: { id: stored.appId, grants: [] },
          user: stored.subject,
        };
      },

      async revokeToken(token: RefreshToken) {
        return grants.rotateRefreshToken(token.refreshToken, (token.user as GrantSubject).grantId);
      },

      async generateAccessToken() {
        return generateSecret('accessToken');
      },

      async generateRefreshToken() {
        return generateSecret('refreshToken');
      },

      async generateAuthorizationCode() {
        return generateSecret('authorizationCode');
      },

      async saveToken(token: Token, client: Client, user: User) {
        const subject = user as GrantSubject;
        await grants.saveTokens(
          {
            accessToken: token.accessToken,
            accessTokenExpiresAt: token.accessTokenExpiresAt!,
            refreshToken: token.refreshToken,
            refreshTokenExpiresAt: token.refreshTokenExpiresAt,
          },
          (client as LibraryClient).app.appId,
          subject,
          token.scope ?? [],
        );
        return { ...token, client, user };
      },

      async getAccessToken() {
        // Access tokens are resolved by the API's own credential resolver, not by the library.
        return undefined;
      },
    };
  }
}

function libraryClient(app: OAuthClient): LibraryClient {
  return {
    id: app.appId,
    app,
    grants: [...app.grants],
    redirectUris: [...app.redirectUris],
    accessTokenLifetime: OAUTH_LIFETIMES.accessTokenSeconds,
    refreshTokenLifetime: OAUTH_LIFETIMES.refreshTokenSeconds,
  };
}

/** RFC 6749 §5.2: `{"error", "error_description"}`, 400 or, for client authentication, 401. */
export function oauthErrorAnswer(error: OAuthError, response?: Response): OAuthHttpAnswer {
  const status = error.code === 503 ? 503 : error.code >= 500 ? 500 : error.code;
  const headers = response ? stringHeaders(response.headers) : {};
  if (error.name === 'invalid_client' && status === 401) headers['www-authenticate'] ??= 'Basic';
  return {
    status,
    headers: { ...headers, 'cache-control': 'no-store' },
    body: { error: error.name, error_description: error.message },
  };
}

function stringHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
}
