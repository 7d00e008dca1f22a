import { Column, Entity, PrimaryColumn } from 'typeorm';
import { VersionedEntity } from '../database/column-types';

export type WebhookSubscriptionStatus = 'active' | 'disabled';

/** A platform table: every query names the store it serves. */
@Entity({ schema: 'platform', name: 'webhook_subscriptions' })
export class WebhookSubscriptionEntity extends VersionedEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text', name: 'store_id' })
  storeId: string;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text', array: true })
  topics: string[];

  @Column({ type: 'text' })
  status: WebhookSubscriptionStatus;

  @Column({ type: 'text', name: 'disabled_reason', nullable: true })
  disabledReason: string | null;

  /** The API version of the payloads, pinned when the subscription is made. */
  @Column({ type: 'text', name: 'api_version' })
  apiVersion: string;

  /** AES-256-GCM under ENCRYPTION_KEY (SecretBox); the clear secret is shown once. */
  @Column({ type: 'text', name: 'secret_sealed', select: false })
  secretSealed: string;

  @Column({ type: 'text', name: 'previous_secret_sealed', nullable: true, select: false })
  previousSecretSealed: string | null;

  @Column({ type: 'timestamptz', name: 'previous_secret_expires_at', nullable: true })
  previousSecretExpiresAt: Date | null;

  /** Since when every attempt has failed; five days of it disables the subscription. */
  @Column({ type: 'timestamptz', name: 'failing_since', nullable: true })
  failingSince: Date | null;

  @Column({ type: 'text', name: 'created_by' })
  createdBy: string;
}
