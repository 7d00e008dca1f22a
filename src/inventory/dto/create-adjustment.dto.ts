import { IsInt, IsString, Length, Matches, Max, Min, NotEquals } from 'class-validator';

export class CreateAdjustmentDto {
  @Matches(/^var_[0-9a-z]{26}$/, { message: 'variantId must be a variant id (var_…)' })
  variantId: string;

  /** Positive to add stock (received, returned), negative to remove it (damaged, correction). */
  @IsInt()
  @NotEquals(0)
  @Min(-1_000_000)
  @Max(1_000_000)
  delta: number;

  @IsString()
  @Length(1, 255)
  reason: string;
}
