import { VersionedEntity } from '../database/column-types';
import { Column, Entity, OneToMany, PrimaryColumn } from 'typeorm';
import { VariantEntity } from './variant.entity';

export type ProductStatus = 'draft' | 'active' | 'archived';

/** A store table: no schema here, the transaction's search_path names the store's schema. */
@Entity({ name: 'products' })
export class ProductEntity extends VersionedEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text' })
  handle: string;

  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'text' })
  status: ProductStatus;

  @Column({ type: 'text', array: true })
  tags: string[];

  @OneToMany(() => VariantEntity, (variant) => variant.product)
  variants: VariantEntity[];
}
