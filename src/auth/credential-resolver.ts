import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { LRUCache } from 'lru-cache';
import { invalidCredential, missingCredential } from '../common/errors/credential-errors';
import { TransactionalConnection } from '../database/transactional-connection';
import { RequestContext } from '../common/request-context';
import { hashApiKey, isWellFormedApiKey } from './api-key-token';
import { PLATFORM_ADMIN } from './require-scopes.decorator';
import { isScope, Scope } from '../common/scopes';
import { hashSecret } from '../common/crypto/secret-hash';
import { isSecretOfKind } from '../oauth/oauth-secrets';

const LAST_USED_WRITE_INTERVAL_MS = 60_000;

interface ApiKeyRow {
  id: string;
  store_id: string;
  scopes: string[];
}

interface CachedApiKey {
  readonly keyId: string;
  readonly storeId: string;
  readonly scopes: readonly Scope[];
}

interface CachedAccessToken {
  readonly tokenId: string;
  readonly appId: string;
  readonly storeId: string;
  readonly scopes: readonly Scope[];
  readonly expiresAt: number;
}

/**
 * Turns a bearer token (the platform admin token, an API key or an OAuth access token) into a
 * request context. Transport-agnostic: the HTTP guard and the
 * WebSocket `connection_init` handler both call it, so every transport authenticates alike.
 *
 * Resolved keys are cached by hash. The cache never decides that a key is still valid: every
 * store transaction re-checks it (TransactionalConnection), so a revoked key is refused on the
 * very next request on every instance, and the cache only saves the lookup's round trip.
 */
@Injectable()
export class CredentialResolver {
  private readonly adminTokenDigest: Buffer;
  private readonly lastUsedWrites = new LRUCache<string, true>({
    max: 10_000,
    ttl: LAST_USED_WRITE_INTERVAL_MS,
  });
  private readonly keys = new LRUCache<string, CachedApiKey>({ max: 10_000, ttl: 60_000 });
  private readonly accessTokens = new LRUCache<string, CachedAccessToken>({
    max: 10_000,
    ttl: 60_000,
  });

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    connection: TransactionalConnection,
  ) {
    this.adminTokenDigest = hashSecret(config.platformAdminToken);
    connection.onRevokedCredential((credentialId) => {
      for (const [hash, key] of this.keys.entries())
        if (key.keyId === credentialId) this.keys.delete(hash);
      for (const [hash, token] of this.accessTokens.entries())
        if (token.tokenId === credentialId) this.accessTokens.delete(hash);
    });
  }

  async resolve(authorization: string | undefined, requestId: string): Promise<RequestContext> {
    const token = bearerToken(authorization);
    if (this.isPlatformAdminToken(token)) {
      return new RequestContext(requestId, null, { type: 'platform_admin', id: 'platform_admin' }, [
        PLATFORM_ADMIN as never,
      ]);
    }
    if (isSecretOfKind(token, 'accessToken')) {
      const access = await this.accessToken(token);
      return new RequestContext(
        requestId,
        access.storeId,
        { type: 'oauth_app', id: access.appId, tokenId: access.tokenId },
        access.scopes,
      );
    }
    if (!isWellFormedApiKey(token)) throw invalidCredential();
    const key = await this.apiKey(token);
    this.touchLastUsed(key.keyId);
    return new RequestContext(
      requestId,
      key.storeId,
      { type: 'api_key', id: key.keyId },
      key.scopes,
    );
  }

  private async apiKey(token: string): Promise<CachedApiKey> {
    const hash = hashApiKey(token);
    const cacheKey = hash.toString('base64');
    const cached = this.keys.get(cacheKey);
    if (cached) return cached;
    const rows: ApiKeyRow[] = await this.dataSource.query(
      `SELECT k.id, k.store_id, k.scopes
         FROM platform.api_keys k JOIN platform.stores s ON s.id = k.store_id
        WHERE k.secret_hash = $1 AND k.revoked_at IS NULL AND s.status = 'active'`,
      [hash],
    );
    if (rows.length === 0) throw invalidCredential();
    const key = {
      keyId: rows[0].id,
      storeId: rows[0].store_id,
      scopes: rows[0].scopes.filter(isScope),
    };
    this.keys.set(cacheKey, key);
    return key;
  }

  /**
   * An OAuth access token, by hash. As with keys, the cache only saves the lookup: every store
   * transaction re-checks the token (revoked, expired, app uninstalled), and an entry is never
   * used past the token's expiry.
   */
  private async accessToken(token: string): Promise<CachedAccessToken> {
    const hash = hashSecret(token);
    const cacheKey = hash.toString('base64');
    const cached = this.accessTokens.get(cacheKey);
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
    if (rows.length === 0) throw invalidCredential();
    const access = {
      tokenId: rows[0].id,
      appId: rows[0].app_id,
      storeId: rows[0].store_id,
      scopes: rows[0].scopes.filter(isScope),
      expiresAt: rows[0].expires_at.getTime(),
    };
    this.accessTokens.set(cacheKey, access, {
      ttl: Math.max(1, Math.min(60_000, access.expiresAt - Date.now())),
    });
    return access;
  }

  private isPlatformAdminToken(token: string): boolean {
    const digest = hashSecret(token);
    return timingSafeEqual(digest, this.adminTokenDigest);
  }

  /**
   * At most one write a minute per key from this instance, and the WHERE clause keeps it to one a
   * minute across instances: authentication must not turn every read into a write.
   */
  private touchLastUsed(keyId: string): void {
    if (this.lastUsedWrites.has(keyId)) return;
    this.lastUsedWrites.set(keyId, true);
    this.dataSource
      .query(
        `UPDATE platform.api_keys SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
        [keyId],
      )
      .catch(() => this.lastUsedWrites.delete(keyId));
  }
}

function bearerToken(authorization: string | undefined): string {
  if (!authorization) throw missingCredential();
  const match = /^Bearer +(\S+) *$/i.exec(authorization);
  if (!match) throw invalidCredential();
  return match[1];
}
