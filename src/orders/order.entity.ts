import { bigintAsNumber, VersionedEntity } from '../database/column-types';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export type OrderStatus = 'open' | 'cancelled' | 'closed';
export type FinancialStatus = 'pending' | 'paid' | 'refunded';
export type FulfillmentStatus = 'unfulfilled' | 'fulfilled';

@Entity({ name: 'orders' })
export class OrderEntity extends VersionedEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  number: number;

  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text', name: 'customer_id', nullable: true })
  customerId: string | null;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  subtotal: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  total: number;

  @Column({ type: 'text' })
  status: OrderStatus;

  @Column({ type: 'text', name: 'financial_status' })
  financialStatus: FinancialStatus;

  @Column({ type: 'text', name: 'fulfillment_status' })
  fulfillmentStatus: FulfillmentStatus;

  @Column({ type: 'text', name: 'cancel_reason', nullable: true })
  cancelReason: string | null;

  @Column({ type: 'text', name: 'tracking_number', nullable: true })
  trackingNumber: string | null;

  @Column({ type: 'text', nullable: true })
  carrier: string | null;
}

@Entity({ name: 'line_items' })
export class LineItemEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text', name: 'order_id' })
  orderId: string;

  @Column({ type: 'integer' })
  position: number;

  /** Kept when the product is deleted later: the order still says what was sold. */
  @Column({ type: 'text', name: 'variant_id', nullable: true })
  variantId: string | null;

  @Column({ type: 'text' })
  sku: string;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'integer' })
  quantity: number;

  @Column({ type: 'bigint', name: 'unit_price', transformer: bigintAsNumber })
  unitPrice: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  total: number;
}
