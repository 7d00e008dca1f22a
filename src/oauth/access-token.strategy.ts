import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import { DataSource } from 'typeorm';
import { Authenticator } from '../auth/authenticator';
import type { CredentialRequest } from '../auth/credential-request';
import { CredentialStrategy } from '../auth/credential-strategy';
import { hashSecret } from '../common/crypto/secret-hash';
import { RequestContext } from '../common/request-context';
import { isScope, Scope } from '../common/scopes';
import { CredentialFreshness } from '../database/credential-freshness';
import { TransactionalConnection } from '../database/transactional-connection';
import { isSecretOfKind } from './oauth-secrets';

export const ACCESS_TOKEN_STRATEGY = 'oauth-access-token';

interface CachedAccessToken {
  readonly tokenId: string;
  readonly appId: string;
  readonly storeId: string;
  readonly scopes: readonly Scope[];
  readonly expiresAt: number;
}

/**
 * `Authorization: Bearer dk_oat_…`: an OAuth app's access token for one store, accepted wherever
 * the API takes a credential (oauth adds it to the API's strategies; auth knows nothing of it).
 *
 * Tokens are cached by hash. As with API keys, the cache only saves the lookup: every store
 * transaction re-checks the token (revoked, expired, app uninstalled), a token found revoked there
 * is dropped from the cache, and an entry is never used past the token's expiry.
 */
@Injectable()
export class AccessTokenStrategy extends CredentialStrategy(BearerStrategy, ACCESS_TOKEN_STRATEGY) {
  private readonly tokens = new LRUCache<string, CachedAccessToken>({ max: 10_000, ttl: 60_000 });

  constructor(
    private readonly dataSource: DataSource,
    connection: TransactionalConnection,
    authenticator: Authenticator,
    freshness: CredentialFreshness,
  ) {
    super({ passReqToCallback: true });
    freshness.register(() => [...this.tokens.values()].map((token) => token.tokenId));
    authenticator.use(ACCESS_TOKEN_STRATEGY, this);
    authenticator.acceptOnApi(ACCESS_TOKEN_STRATEGY);
    connection.onRevokedCredential((credentialId) => {
      for (const [hash, token] of this.tokens.entries())
        if (token.tokenId === credentialId) this.tokens.delete(hash);
    });
  }

  async validate(request: CredentialRequest, token: string): Promise<RequestContext | false> {
    if (!isSecretOfKind(token, 'accessToken')) return false;
    const access = await this.lookUp(token);
    if (!access) return false;
    return new RequestContext(
      request.requestId,
      access.storeId,
      { type: 'oauth_app', id: access.appId, tokenId: access.tokenId },
      access.scopes,
    );
  }

  private async lookUp(token: string): Promise<CachedAccessToken | undefined> {
    const hash = hashSecret(token);
    const cacheKey = hash.toString('base64');
    const cached = this.tokens.get(cacheKey);
    if (cached && cached.expiresAt > Date.now()) return cached;
    const rows: {
      id: string;
      app_id: string;
      store_id: string;
      scopes: string[];
      expires_at: Date;
    }[] = await this.dataSource.query(
      `SELECT id, app_id, store_id, scopes, expires_at FROM platform.oauth_tokens
        WHERE token_hash = $1 AND kind = 'access' AND platform.oauth_token_active(id)`,
      [hash],
    );
    if (rows.length === 0) return undefined;
    const access = {
      tokenId: rows[0].id,
      appId: rows[0].app_id,
      storeId: rows[0].store_id,
      scopes: rows[0].scopes.filter(isScope),
      expiresAt: rows[0].expires_at.getTime(),
    };
    this.tokens.set(cacheKey, access, {
      ttl: Math.max(1, Math.min(60_000, access.expiresAt - Date.now())),
    });
    return access;
  }
}
