import { ApiProperty } from '@nestjs/swagger';
/** `data.object` of inventory.updated events, and the answer to an adjustment. */
export class InventoryLevelResource {
  @ApiProperty()
  variantId: string;

  @ApiProperty()
  productId: string;

  @ApiProperty()
  sku: string;

  @ApiProperty({ type: 'integer' })
  inventoryQuantity: number;
}

export class AdjustmentResultResource extends InventoryLevelResource {
  @ApiProperty({ example: 'adj_01jw3e5m8c4t9h2k7q6r0v1x2y' })
  adjustmentId: string;
}
