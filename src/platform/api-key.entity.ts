import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { Scope } from '../common/scopes';

@Entity({ schema: 'platform', name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text', name: 'store_id' })
  storeId: string;

  @Column({ type: 'text' })
  name: string;

  /** The first characters of the key, safe to show again; the key itself is never stored. */
  @Column({ type: 'text' })
  prefix: string;

  /** SHA-256 of the key: enough for a 190-bit random secret, and fast on every request. */
  @Column({ type: 'bytea', name: 'secret_hash', select: false })
  secretHash: Buffer;

  @Column({ type: 'text', array: true })
  scopes: Scope[];

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Column({ type: 'timestamptz', name: 'last_used_at', nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'timestamptz', name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}
