import { IsInt, IsString, Length, Max, Min } from 'class-validator';

/** A pushed stock level: the self-hosted store's quantity of one SKU. */
export class InventorySetDto {
  @IsString()
  @Length(1, 255)
  sku: string;

  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  inventoryQuantity: number;
}
