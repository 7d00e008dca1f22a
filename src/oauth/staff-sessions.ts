import { Injectable } from '@nestjs/common';
import { hashPassword, verifyPassword } from '../auth/password-hasher';
import { hashSecret } from '../common/crypto/secret-hash';
import type { RequestContext } from '../common/request-context';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import type { StaffRole } from '../platform/staff.service';
import { generateSecret, isSecretOfKind } from './oauth-secrets';

/** A staff session lasts a working day; signing in again is cheap, a stolen cookie is not. */
export const STAFF_SESSION_SECONDS = 8 * 60 * 60;

/** The cookie that carries a staff session, on the OAuth pages and the hosted admin alike. */
export const STAFF_SESSION_COOKIE = 'dk_staff_session';

export interface StaffSession {
  readonly email: string;
  readonly staffIds: readonly string[];
}

/** A store the signed-in person may act for, as one of its staff accounts. */
export interface StaffMembership {
  readonly staffId: string;
  readonly storeId: string;
  readonly storeName: string;
  readonly storeHandle: string;
}

/** The session's account on one store. */
export interface StaffAccount {
  readonly staffId: string;
  readonly role: StaffRole;
}

// Verified against when the email is unknown, so both answers take as long; made on first use.
let unknownEmailHash: Promise<string> | undefined;

/**
 * Staff sign-in. Staff accounts belong to one store each, so one email may hold several (one per
 * store, possibly with different passwords): a session holds every account whose password
 * matched, and the consent page asks which store to install on. Sessions are stored by hash; the
 * cookie carries the only copy of the secret. Platform-level work: callers pass a platform
 * context (`RequestContext.system(null, requestId)`), whose transactions see the platform schema.
 */
@Injectable()
export class StaffSessions {
  constructor(readonly connection: TransactionalConnection) {}

  /**
   * The staff accounts that this email and password open; empty when none. The hashes are read
   * in a transaction of their own, and compared after it: scrypt must not hold a connection.
   */
  async verify(ctx: RequestContext, email: string, password: string): Promise<string[]> {
    const rows = await this.accountsOf(ctx, email);
    if (rows.length === 0) {
      unknownEmailHash ??= hashPassword('not the password of anyone');
      await verifyPassword(password, await unknownEmailHash);
      return [];
    }
    const matched: string[] = [];
    for (const row of rows)
      if (await verifyPassword(password, row.password_hash)) matched.push(row.id);
    return matched;
  }

  @Transactional()
  async open(ctx: RequestContext, email: string, staffIds: readonly string[]): Promise<string> {
    const secret = generateSecret('staffSession');
    await this.connection.manager(ctx).query(
      `INSERT INTO platform.staff_sessions (session_hash, email, staff_ids, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
      [hashSecret(secret), email.trim().toLowerCase(), staffIds, STAFF_SESSION_SECONDS],
    );
    return secret;
  }

  async find(ctx: RequestContext, secret: string | undefined): Promise<StaffSession | undefined> {
    if (!isSecretOfKind(secret, 'staffSession')) return undefined;
    return this.findBySecret(ctx, secret);
  }

  /** The session's account on the store, if the session is valid and holds one there. */
  async accountOn(
    ctx: RequestContext,
    secret: string | undefined,
    storeId: string,
  ): Promise<StaffAccount | undefined> {
    if (!isSecretOfKind(secret, 'staffSession')) return undefined;
    return this.accountBySecret(ctx, secret, storeId);
  }

  async close(ctx: RequestContext, secret: string | undefined): Promise<void> {
    if (!isSecretOfKind(secret, 'staffSession')) return;
    await this.deleteBySecret(ctx, secret);
  }

  /** The active stores of the session's accounts (only `onlyStoreId` for a single-store app). */
  @Transactional({ readOnly: true })
  async memberships(
    ctx: RequestContext,
    session: StaffSession,
    onlyStoreId: string | null,
  ): Promise<StaffMembership[]> {
    const rows: { staff_id: string; store_id: string; name: string; handle: string }[] =
      await this.connection.manager(ctx).query(
        `SELECT f.id AS staff_id, s.id AS store_id, s.name, s.handle
           FROM platform.staff f JOIN platform.stores s ON s.id = f.store_id
          WHERE f.id = ANY($1) AND s.status = 'active' AND ($2::text IS NULL OR s.id = $2)
          ORDER BY s.name, s.id`,
        [session.staffIds, onlyStoreId],
      );
    return rows.map((row) => ({
      staffId: row.staff_id,
      storeId: row.store_id,
      storeName: row.name,
      storeHandle: row.handle,
    }));
  }

  @Transactional({ readOnly: true })
  private async accountsOf(
    ctx: RequestContext,
    email: string,
  ): Promise<{ id: string; password_hash: string }[]> {
    return this.connection.manager(ctx).query(
      `SELECT f.id, f.password_hash FROM platform.staff f
         JOIN platform.stores s ON s.id = f.store_id AND s.status = 'active'
        WHERE f.email = $1 ORDER BY f.id LIMIT 20`,
      [email.trim().toLowerCase()],
    );
  }

  @Transactional({ readOnly: true })
  private async findBySecret(
    ctx: RequestContext,
    secret: string,
  ): Promise<StaffSession | undefined> {
    const rows: { email: string; staff_ids: string[] }[] = await this.connection.manager(ctx).query(
      `SELECT email, staff_ids FROM platform.staff_sessions
          WHERE session_hash = $1 AND expires_at > now()`,
      [hashSecret(secret)],
    );
    return rows[0] && { email: rows[0].email, staffIds: rows[0].staff_ids };
  }

  @Transactional({ readOnly: true })
  private async accountBySecret(
    ctx: RequestContext,
    secret: string,
    storeId: string,
  ): Promise<StaffAccount | undefined> {
    const rows: { id: string; role: StaffRole }[] = await this.connection.manager(ctx).query(
      `SELECT f.id, f.role
         FROM platform.staff_sessions ss
         JOIN platform.staff f ON f.id = ANY(ss.staff_ids)
         JOIN platform.stores s ON s.id = f.store_id AND s.status = 'active'
        WHERE ss.session_hash = $1 AND ss.expires_at > now() AND f.store_id = $2
        LIMIT 1`,
      [hashSecret(secret), storeId],
    );
    return rows[0] && { staffId: rows[0].id, role: rows[0].role };
  }

  @Transactional()
  private async deleteBySecret(ctx: RequestContext, secret: string): Promise<void> {
    await this.connection
      .manager(ctx)
      .query('DELETE FROM platform.staff_sessions WHERE session_hash = $1', [hashSecret(secret)]);
  }
}
