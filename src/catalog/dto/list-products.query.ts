import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import type { ProductStatus } from '../product.entity';
import { UpdatedSince } from '../../common/validation/validators';

export class ListProductsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['draft', 'active', 'archived'] })
  @IsOptional()
  @IsIn(['draft', 'active', 'archived'])
  status?: ProductStatus;

  @UpdatedSince('products')
  updatedSince?: string;
}
