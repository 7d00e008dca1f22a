import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryColumn,
} from 'typeorm';

export type Hosting = 'hosted' | 'self_hosted';
export type StoreStatus = 'active' | 'suspended';

@Entity({ schema: 'platform', name: 'stores' })
export class StoreEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  handle: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'text' })
  hosting: Hosting;

  @Column({ type: 'text' })
  status: StoreStatus;

  @Column({ type: 'integer', name: 'schema_version' })
  schemaVersion: number;

  @OneToMany(() => StoreDomainEntity, (domain) => domain.store, { cascade: ['insert'] })
  domains: StoreDomainEntity[];

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @CreateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}

@Entity({ schema: 'platform', name: 'store_domains' })
export class StoreDomainEntity {
  @PrimaryColumn({ type: 'text' })
  domain: string;

  @Column({ type: 'text', name: 'store_id' })
  storeId: string;

  @Column({ type: 'integer' })
  position: number;

  @ManyToOne(() => StoreEntity, (store) => store.domains, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'store_id' })
  store: StoreEntity;
}
