import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { LRUCache } from 'lru-cache';
import { CredentialFreshness } from '../database/credential-freshness';
import { TransactionalConnection } from '../database/transactional-connection';
import { RequestContext } from '../common/request-context';
import { hashApiKey, isWellFormedApiKey } from './api-key-token';
import { PLATFORM_ADMIN } from './require-scopes.decorator';
import { isScope, Scope } from '../common/scopes';
import { hashSecret } from '../common/crypto/secret-hash';

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

/**
 * The lookups behind auth's own strategies: the platform admin token, and API keys by hash.
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

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    connection: TransactionalConnection,
    freshness: CredentialFreshness,
  ) {
    this.adminTokenDigest = hashSecret(config.platformAdminToken);
    freshness.register(() => [...this.keys.values()].map((key) => key.keyId));
    connection.onRevokedCredential((credentialId) => {
      for (const [hash, key] of this.keys.entries())
        if (key.keyId === credentialId) this.keys.delete(hash);
    });
  }

  /** The admin's context when the token is PLATFORM_ADMIN_TOKEN (compared in constant time). */
  platformAdmin(token: string, requestId: string): RequestContext | undefined {
    if (!timingSafeEqual(hashSecret(token), this.adminTokenDigest)) return undefined;
    return new RequestContext(requestId, null, { type: 'platform_admin', id: 'platform_admin' }, [
      PLATFORM_ADMIN as never,
    ]);
  }

  /** The key's context; undefined for a token that is no key, or no valid one. */
  async apiKey(token: string, requestId: string): Promise<RequestContext | undefined> {
    if (!isWellFormedApiKey(token)) return undefined;
    const key = await this.lookUpApiKey(token);
    if (!key) return undefined;
    this.touchLastUsed(key.keyId);
    return new RequestContext(
      requestId,
      key.storeId,
      { type: 'api_key', id: key.keyId },
      key.scopes,
    );
  }

  private async lookUpApiKey(token: string): Promise<CachedApiKey | undefined> {
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
    if (rows.length === 0) return undefined;
    const key = {
      keyId: rows[0].id,
      storeId: rows[0].store_id,
      scopes: rows[0].scopes.filter(isScope),
    };
    this.keys.set(cacheKey, key);
    return key;
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
