import { Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CredentialFreshness } from '../database/credential-freshness';
import { newId } from '../common/ids';
import { hashSecret } from '../common/crypto/secret-hash';
import { isSecretOfKind } from './oauth-secrets';

/** Lifetimes (RFC 9700): short access tokens, single-use codes, rotated refresh tokens. */
export const OAUTH_LIFETIMES = {
  authorizationCodeSeconds: 60,
  accessTokenSeconds: 15 * 60,
  refreshTokenSeconds: 30 * 24 * 60 * 60,
} as const;

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';

export interface OAuthClient {
  readonly appId: string;
  readonly clientId: string;
  readonly name: string;
  readonly confidential: boolean;
  readonly redirectUris: readonly string[];
  readonly scopes: readonly string[];
  readonly storeId: string | null;
  readonly grants: readonly GrantType[];
}

/** Whom a grant acts for: a store, through an installation (none for client_credentials). */
export interface GrantSubject {
  readonly storeId: string;
  readonly installationId: string | null;
  readonly staffId: string | null;
  /** Every token issued from one authorization shares it, so reuse can revoke them together. */
  readonly grantId: string;
}

export interface StoredCode {
  readonly appId: string;
  readonly subject: GrantSubject;
  readonly scopes: string[];
  readonly redirectUri: string;
  readonly codeChallenge: string | null;
  readonly codeChallengeMethod: string | null;
  readonly expiresAt: Date;
}

export interface StoredRefreshToken {
  readonly appId: string;
  readonly subject: GrantSubject;
  readonly scopes: string[];
  readonly expiresAt: Date;
}

export interface IssuedTokens {
  readonly accessToken: string;
  readonly accessTokenExpiresAt: Date;
  readonly refreshToken?: string;
  readonly refreshTokenExpiresAt?: Date;
}

export interface TokenInfo {
  readonly tokenId: string;
  readonly grantId: string;
  readonly kind: 'access' | 'refresh';
  readonly appId: string;
  readonly clientId: string;
  readonly storeId: string;
  readonly scopes: string[];
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly active: boolean;
}

interface ClientRow {
  id: string;
  client_id: string;
  name: string;
  confidential: boolean;
  client_secret_hash: Buffer | null;
  redirect_uris: string[];
  scopes: string[];
  store_id: string | null;
}

interface SubjectRow {
  app_id: string;
  store_id: string;
  installation_id: string | null;
  staff_id?: string | null;
  grant_id: string;
  scopes: string[];
  expires_at: Date;
}

/**
 * The OAuth server's storage: clients, codes and tokens in the `platform` schema. Every lookup
 * is by the SHA-256 of the presented secret; every state change that decides between two racing
 * requests (redeeming a code, rotating a refresh token) is one conditional UPDATE, so exactly one
 * of them wins.
 */
@Injectable()
export class OAuthGrants {
  constructor(
    private readonly dataSource: DataSource,
    private readonly freshness: CredentialFreshness,
  ) {}

  async client(clientId: string): Promise<OAuthClient | undefined> {
    const row = await this.clientRow(clientId);
    return row && toClient(row);
  }

  /**
   * The client, if the presented credentials authenticate it: confidential apps must present
   * their secret (compared as hashes, in constant time); public apps must present none.
   */
  async authenticateClient(
    clientId: string,
    clientSecret: string | undefined | null,
  ): Promise<OAuthClient | undefined> {
    const row = await this.clientRow(clientId);
    if (!row) return undefined;
    if (!row.confidential) return clientSecret ? undefined : toClient(row);
    if (!row.client_secret_hash || !isSecretOfKind(clientSecret, 'clientSecret')) return undefined;
    return timingSafeEqual(hashSecret(clientSecret), row.client_secret_hash)
      ? toClient(row)
      : undefined;
  }

  async saveCode(code: string, stored: StoredCode): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO platform.oauth_codes
         (code_hash, app_id, installation_id, store_id, staff_id, scopes, redirect_uri,
          code_challenge, code_challenge_method, grant_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        hashSecret(code),
        stored.appId,
        stored.subject.installationId,
        stored.subject.storeId,
        stored.subject.staffId,
        stored.scopes,
        stored.redirectUri,
        stored.codeChallenge,
        stored.codeChallengeMethod,
        stored.subject.grantId,
        stored.expiresAt,
      ],
    );
  }

  /**
   * A code presented a second time is a sign it was stolen (RFC 6749 §4.1.2): the tokens
   * already issued from it are revoked and the code is refused.
   */
  async findCode(code: string): Promise<StoredCode | undefined> {
    if (!isSecretOfKind(code, 'authorizationCode')) return undefined;
    const rows: (SubjectRow & {
      redirect_uri: string;
      code_challenge: string | null;
      code_challenge_method: string | null;
      used_at: Date | null;
    })[] = await this.dataSource.query(
      `SELECT c.app_id, c.store_id, c.installation_id, c.staff_id, c.grant_id, c.scopes,
              c.expires_at, c.redirect_uri, c.code_challenge, c.code_challenge_method, c.used_at
         FROM platform.oauth_codes c
         JOIN platform.installations i ON i.id = c.installation_id AND i.uninstalled_at IS NULL
         JOIN platform.apps a ON a.id = c.app_id AND a.deleted_at IS NULL
        WHERE c.code_hash = $1`,
      [hashSecret(code)],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.used_at) {
      await this.revokeGrant(row.grant_id);
      return undefined;
    }
    return {
      appId: row.app_id,
      subject: toSubject(row),
      scopes: row.scopes,
      redirectUri: row.redirect_uri,
      codeChallenge: row.code_challenge,
      codeChallengeMethod: row.code_challenge_method,
      expiresAt: row.expires_at,
    };
  }

  /** True for exactly one of any number of concurrent redemptions. */
  async redeemCode(code: string): Promise<boolean> {
    const [, count] = await this.dataSource.query(
      'UPDATE platform.oauth_codes SET used_at = now() WHERE code_hash = $1 AND used_at IS NULL',
      [hashSecret(code)],
    );
    return count === 1;
  }

  /** The stored refresh token; a rotated one presented again revokes its whole grant. */
  async findRefreshToken(token: string): Promise<StoredRefreshToken | undefined> {
    if (!isSecretOfKind(token, 'refreshToken')) return undefined;
    const rows: (SubjectRow & { rotated_at: Date | null; revoked_at: Date | null })[] =
      await this.dataSource.query(
        `SELECT t.app_id, t.store_id, t.installation_id, t.grant_id, t.scopes, t.expires_at,
                t.rotated_at, t.revoked_at
           FROM platform.oauth_tokens t
           JOIN platform.apps a ON a.id = t.app_id AND a.deleted_at IS NULL
           JOIN platform.stores s ON s.id = t.store_id AND s.status = 'active'
           LEFT JOIN platform.installations i ON i.id = t.installation_id
          WHERE t.token_hash = $1 AND t.kind = 'refresh'
            AND (t.installation_id IS NULL OR i.uninstalled_at IS NULL)`,
        [hashSecret(token)],
      );
    const row = rows[0];
    if (!row || row.revoked_at) return undefined;
    if (row.rotated_at) {
      await this.revokeGrant(row.grant_id);
      return undefined;
    }
    return {
      appId: row.app_id,
      subject: toSubject(row),
      scopes: row.scopes,
      expiresAt: row.expires_at,
    };
  }

  /**
   * Marks a refresh token used. Losing the race to another request presenting the same token
   * is reuse too (one of the two is not the legitimate client), so the grant is revoked.
   */
  async rotateRefreshToken(token: string, grantId: string): Promise<boolean> {
    const [, count] = await this.dataSource.query(
      `UPDATE platform.oauth_tokens SET rotated_at = now()
        WHERE token_hash = $1 AND kind = 'refresh' AND rotated_at IS NULL AND revoked_at IS NULL`,
      [hashSecret(token)],
    );
    if (count === 1) return true;
    await this.revokeGrant(grantId);
    return false;
  }

  async saveTokens(
    tokens: IssuedTokens,
    appId: string,
    subject: GrantSubject,
    scopes: readonly string[],
  ): Promise<void> {
    const rows: unknown[][] = [
      [newId('tok'), hashSecret(tokens.accessToken), 'access', tokens.accessTokenExpiresAt],
    ];
    if (tokens.refreshToken && tokens.refreshTokenExpiresAt)
      rows.push([
        newId('tok'),
        hashSecret(tokens.refreshToken),
        'refresh',
        tokens.refreshTokenExpiresAt,
      ]);
    await this.dataSource.query(
      `INSERT INTO platform.oauth_tokens
         (id, token_hash, kind, expires_at, grant_id, app_id, store_id, installation_id, scopes)
       SELECT r.id, r.token_hash, r.kind, r.expires_at, $5, $6, $7, $8, $9
         FROM unnest($1::text[], $2::bytea[], $3::text[], $4::timestamptz[])
              AS r (id, token_hash, kind, expires_at)`,
      [
        rows.map((row) => row[0]),
        rows.map((row) => row[1]),
        rows.map((row) => row[2]),
        rows.map((row) => row[3]),
        subject.grantId,
        appId,
        subject.storeId,
        subject.installationId,
        scopes,
      ],
    );
  }

  /** Every token of the grant, access and refresh alike, stops working with this statement. */
  async revokeGrant(grantId: string): Promise<void> {
    await this.dataSource.query(
      'UPDATE platform.oauth_tokens SET revoked_at = now() WHERE grant_id = $1 AND revoked_at IS NULL',
      [grantId],
    );
    await this.freshness.checkNow();
  }

  async revokeToken(tokenId: string): Promise<void> {
    await this.dataSource.query(
      'UPDATE platform.oauth_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
      [tokenId],
    );
    await this.freshness.checkNow();
  }

  /** A token of the given client, found by its value (RFC 7009 and RFC 7662 lookups). */
  async tokenInfo(token: string): Promise<TokenInfo | undefined> {
    const kind = isSecretOfKind(token, 'accessToken')
      ? 'access'
      : isSecretOfKind(token, 'refreshToken')
        ? 'refresh'
        : undefined;
    if (!kind) return undefined;
    const rows: {
      id: string;
      grant_id: string;
      app_id: string;
      client_id: string;
      store_id: string;
      scopes: string[];
      created_at: Date;
      expires_at: Date;
      active: boolean;
    }[] = await this.dataSource.query(
      `SELECT t.id, t.grant_id, t.app_id, a.client_id, t.store_id, t.scopes, t.created_at,
              t.expires_at,
              CASE WHEN t.kind = 'access' THEN platform.oauth_token_active(t.id)
                   ELSE t.revoked_at IS NULL AND t.rotated_at IS NULL AND t.expires_at > now()
                        AND a.deleted_at IS NULL
                        AND (t.installation_id IS NULL OR EXISTS (
                              SELECT 1 FROM platform.installations i
                               WHERE i.id = t.installation_id AND i.uninstalled_at IS NULL))
              END AS active
         FROM platform.oauth_tokens t JOIN platform.apps a ON a.id = t.app_id
        WHERE t.token_hash = $1 AND t.kind = $2`,
      [hashSecret(token), kind],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      tokenId: row.id,
      grantId: row.grant_id,
      kind,
      appId: row.app_id,
      clientId: row.client_id,
      storeId: row.store_id,
      scopes: row.scopes,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      active: row.active,
    };
  }

  private async clientRow(clientId: string): Promise<ClientRow | undefined> {
    if (!isSecretOfKind(clientId, 'clientId')) return undefined;
    const rows: ClientRow[] = await this.dataSource.query(
      `SELECT id, client_id, name, confidential, client_secret_hash, redirect_uris, scopes, store_id
         FROM platform.apps WHERE client_id = $1 AND deleted_at IS NULL`,
      [clientId],
    );
    return rows[0];
  }
}

function toClient(row: ClientRow): OAuthClient {
  return {
    appId: row.id,
    clientId: row.client_id,
    name: row.name,
    confidential: row.confidential,
    redirectUris: row.redirect_uris,
    scopes: row.scopes,
    storeId: row.store_id,
    grants: row.store_id
      ? ['authorization_code', 'refresh_token', 'client_credentials']
      : ['authorization_code', 'refresh_token'],
  };
}

function toSubject(row: SubjectRow): GrantSubject {
  return {
    storeId: row.store_id,
    installationId: row.installation_id,
    staffId: row.staff_id ?? null,
    grantId: row.grant_id,
  };
}

export function newGrantId(): string {
  return newId('grant');
}
