import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { hashPassword, verifyPassword } from '../auth/password-hasher';
import { hashSecret } from '../common/crypto/secret-hash';
import { generateSecret, isSecretOfKind } from './oauth-secrets';

/** A staff session lasts a working day; signing in again is cheap, a stolen cookie is not. */
export const STAFF_SESSION_SECONDS = 8 * 60 * 60;

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

// Verified against when the email is unknown, so both answers take as long; made on first use.
let unknownEmailHash: Promise<string> | undefined;

/**
 * Staff sign-in for the OAuth pages. Staff accounts belong to one store each, so one email may
 * hold several (one per store, possibly with different passwords): a session holds every
 * account whose password matched, and the consent page asks which store to install on.
 * Sessions are stored by hash; the cookie carries the only copy of the secret.
 */
@Injectable()
export class StaffSessions {
  constructor(private readonly dataSource: DataSource) {}

  /** The staff accounts that this email and password open; empty when none. */
  async verify(email: string, password: string): Promise<string[]> {
    const rows: { id: string; password_hash: string }[] = await this.dataSource.query(
      `SELECT f.id, f.password_hash FROM platform.staff f
         JOIN platform.stores s ON s.id = f.store_id AND s.status = 'active'
        WHERE f.email = $1 ORDER BY f.id LIMIT 20`,
      [email.trim().toLowerCase()],
    );
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

  async open(email: string, staffIds: readonly string[]): Promise<string> {
    const secret = generateSecret('staffSession');
    await this.dataSource.query(
      `INSERT INTO platform.staff_sessions (session_hash, email, staff_ids, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
      [hashSecret(secret), email.trim().toLowerCase(), staffIds, STAFF_SESSION_SECONDS],
    );
    return secret;
  }

  async find(secret: string | undefined): Promise<StaffSession | undefined> {
    if (!isSecretOfKind(secret, 'staffSession')) return undefined;
    const rows: { email: string; staff_ids: string[] }[] = await this.dataSource.query(
      `SELECT email, staff_ids FROM platform.staff_sessions
        WHERE session_hash = $1 AND expires_at > now()`,
      [hashSecret(secret)],
    );
    return rows[0] && { email: rows[0].email, staffIds: rows[0].staff_ids };
  }

  async close(secret: string | undefined): Promise<void> {
    if (!isSecretOfKind(secret, 'staffSession')) return;
    await this.dataSource.query('DELETE FROM platform.staff_sessions WHERE session_hash = $1', [
      hashSecret(secret),
    ]);
  }

  /** The active stores of the session's accounts (only `onlyStoreId` for a single-store app). */
  async memberships(session: StaffSession, onlyStoreId: string | null): Promise<StaffMembership[]> {
    const rows: { staff_id: string; store_id: string; name: string; handle: string }[] =
      await this.dataSource.query(
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
}
