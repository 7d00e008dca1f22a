import { bigintAsNumber } from '../database/column-types';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { EventEnvelope } from './event-envelope';

/** A store table: one row per change, numbered in commit order without gaps. */
@Entity({ name: 'events' })
export class EventEntity {
  @PrimaryColumn({ type: 'bigint', transformer: bigintAsNumber })
  sequence: number;

  @Column({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'text', name: 'resource_id' })
  resourceId: string;

  @Column({ type: 'text', name: 'api_version' })
  apiVersion: string;

  @Column({ type: 'json' })
  payload: EventEnvelope<object>;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
