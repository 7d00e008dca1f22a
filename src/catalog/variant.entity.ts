import { bigintAsNumber, VersionedEntity } from '../database/column-types';
import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { ProductEntity } from './product.entity';

@Entity({ name: 'variants' })
export class VariantEntity extends VersionedEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text', name: 'product_id' })
  productId: string;

  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'text' })
  sku: string;

  @Column({ type: 'text' })
  title: string;

  /** Minor units; bigint in the database, and never beyond 2^53 because input is checked. */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  price: number;

  @Column({ type: 'integer', name: 'inventory_quantity' })
  inventoryQuantity: number;

  @ManyToOne('ProductEntity', 'variants', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'product_id' })
  product: ProductEntity;
}
