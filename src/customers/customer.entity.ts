import { VersionedEntity } from '../database/column-types';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A store table: the transaction's search_path names the store's schema. */
@Entity({ name: 'customers' })
export class CustomerEntity extends VersionedEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  /** Unique in the store regardless of case (a unique index on lower(email)). */
  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text', name: 'first_name' })
  firstName: string;

  @Column({ type: 'text', name: 'last_name' })
  lastName: string;

  @Column({ type: 'text' })
  phone: string;
}
