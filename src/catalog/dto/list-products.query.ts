import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import type { ProductStatus } from '../product.entity';

export class ListProductsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['draft', 'active', 'archived'] })
  @IsOptional()
  @IsIn(['draft', 'active', 'archived'])
  status?: ProductStatus;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Only products updated at or after this time',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  updatedSince?: string;
}
