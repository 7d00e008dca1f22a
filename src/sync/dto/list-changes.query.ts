import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { SYNC_RESOURCES } from '../sync-resources';

/** The same page bound as every list (CONTRACT.md); the agent reads its own feed in-process. */
export const MAX_CHANGES_PAGE = 250;

export class ListChangesQueryDto {
  /** `nextCursor` of the previous page; none to start from the store's first change. */
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_CHANGES_PAGE, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @Max(MAX_CHANGES_PAGE)
  @Min(1)
  @IsInt()
  limit: number = 100;

  @ApiPropertyOptional({
    description: `Comma-separated resources to include (${SYNC_RESOURCES.join(', ')}); all when absent`,
    example: 'product,customer',
  })
  @IsOptional()
  @Matches(new RegExp(`^(${SYNC_RESOURCES.join('|')})(,(${SYNC_RESOURCES.join('|')}))*$`), {
    message: `resources must be a comma-separated list of: ${SYNC_RESOURCES.join(', ')}`,
  })
  resources?: string;
}
