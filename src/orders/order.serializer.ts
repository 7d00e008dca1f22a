import { ApiProperty } from '@nestjs/swagger';
import type { LineItemEntity, OrderEntity } from './order.entity';

export class LineItemResource {
  @ApiProperty()
  id: string;

  @ApiProperty({ type: String, nullable: true, description: 'Null once the variant is deleted' })
  variantId: string | null;

  @ApiProperty()
  sku: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ type: 'integer' })
  quantity: number;

  @ApiProperty({ type: 'integer' })
  unitPrice: number;

  @ApiProperty({ type: 'integer' })
  total: number;
}

export class OrderResource {
  @ApiProperty({ example: 'ord_01jw3e5m8c4t9h2k7q6r0v1x2y' })
  id: string;

  @ApiProperty({ type: 'integer', description: '1, 2, 3… per store, without gaps' })
  number: number;

  @ApiProperty()
  email: string;

  @ApiProperty({ type: String, nullable: true })
  customerId: string | null;

  @ApiProperty({ type: () => [LineItemResource] })
  lineItems: LineItemResource[];

  @ApiProperty({ type: 'integer' })
  subtotal: number;

  @ApiProperty({ type: 'integer' })
  total: number;

  @ApiProperty({ example: 'EUR' })
  currency: string;

  @ApiProperty({ enum: ['open', 'cancelled', 'closed'] })
  status: string;

  @ApiProperty({ enum: ['pending', 'paid', 'refunded'] })
  financialStatus: string;

  @ApiProperty({ enum: ['unfulfilled', 'fulfilled'] })
  fulfillmentStatus: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The reason given when the order was cancelled; null otherwise',
  })
  cancelReason: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The tracking number given when the order was fulfilled; null otherwise',
  })
  trackingNumber: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The carrier given when the order was fulfilled; null otherwise',
  })
  carrier: string | null;

  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

/** The v1 order as REST returns it; events, webhooks and sync reuse it. */
export function serializeOrder(
  order: OrderEntity,
  lineItems: readonly LineItemEntity[],
): OrderResource {
  return {
    id: order.id,
    number: order.number,
    email: order.email,
    customerId: order.customerId,
    lineItems: [...lineItems]
      .sort((a, b) => a.position - b.position)
      .map((item) => ({
        id: item.id,
        variantId: item.variantId,
        sku: item.sku,
        title: item.title,
        quantity: item.quantity,
        unitPrice: item.unitPrice,
        total: item.total,
      })),
    subtotal: order.subtotal,
    total: order.total,
    currency: order.currency,
    status: order.status,
    financialStatus: order.financialStatus,
    fulfillmentStatus: order.fulfillmentStatus,
    cancelReason: order.cancelReason,
    trackingNumber: order.trackingNumber,
    carrier: order.carrier,
    version: order.version,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}
