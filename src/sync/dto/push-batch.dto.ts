import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  Length,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { Omittable } from '../../common/validation/validators';
import { PUSHABLE_RESOURCES, PushableResource } from '../sync-resources';

export class PushChangeDto {
  @IsIn(PUSHABLE_RESOURCES)
  resource: PushableResource;

  /** The self-hosted store's own id for the resource (its SKU for inventory). */
  @IsString()
  @Length(1, 255)
  externalId: string;

  /** The platform version the self-hosted side last saw; null when it has seen none. */
  @JSONSchema({ type: 'integer', nullable: true, minimum: 1 })
  @ValidateIf((_object, value) => value !== null)
  @Max(2_147_483_647)
  @Min(1)
  @IsInt()
  baseVersion: number | null;

  @Omittable()
  @IsBoolean()
  deleted?: boolean;

  /**
   * The body REST creates the resource with (inventory: `{sku, inventoryQuantity}`); checked per
   * item, so one invalid item is reported without refusing the batch.
   */
  @JSONSchema({ type: 'object', additionalProperties: true })
  @IsObject()
  data: Record<string, unknown>;
}

export class PushBatchDto {
  /** Chosen by the pusher; the same id again replays the first answer and applies nothing. */
  @IsString()
  @Length(1, 200)
  batchId: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => PushChangeDto)
  changes: PushChangeDto[];
}
