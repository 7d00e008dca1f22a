import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsObject, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

/** The largest bucket and refill rate an override may set (the table's CHECKs say the same). */
export const MAX_RATE_LIMIT = 1_000_000;

export class BucketLimitDto {
  @Max(MAX_RATE_LIMIT)
  @Min(1)
  @IsInt()
  bucket: number;

  @Max(MAX_RATE_LIMIT)
  @Min(1)
  @IsInt()
  refillPerSecond: number;
}

/**
 * A limit that may be left out (unchanged) or sent as `null` (back to the default): the one kind
 * of request field that takes `null`, because here `null` says something absence cannot.
 */
function ResettableLimit(description: string): PropertyDecorator {
  return applyDecorators(
    // OpenAPI 3.0 spells a nullable reference as a nullable object of all of one reference.
    JSONSchema((nested) => ({
      type: 'object',
      nullable: true,
      allOf: [{ $ref: (nested as { $ref: string }).$ref }],
      description,
    })),
    ValidateIf((_object, value) => value !== undefined && value !== null),
    IsObject(),
    ValidateNested(),
    Type(() => BucketLimitDto),
  );
}

/** The platform admin's rate limits for one credential (an API key, or an OAuth app). */
export class UpdateRateLimitsDto {
  @ResettableLimit(
    'REST requests of this credential per store; null returns to RATE_LIMIT_BUCKET and RATE_LIMIT_REFILL_PER_SECOND',
  )
  rateLimit?: BucketLimitDto | null;

  @ResettableLimit(
    'GraphQL cost points of this credential per store; null returns to GRAPHQL_COST_BUCKET and GRAPHQL_COST_REFILL_PER_SECOND',
  )
  graphqlCost?: BucketLimitDto | null;
}
