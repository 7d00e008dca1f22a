import { CachedResponse } from '../cache/cached-response.interceptor';
import { ApiResponse } from '@nestjs/swagger';
import { ApiPage, ApiResource } from '../common/http/api-responses';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Ctx } from '../auth/ctx.decorator';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { IfMatch } from '../common/http/if-match.decorator';
import { Page } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { CreateProductDto } from './dto/create-product.dto';
import { ListProductsQueryDto } from './dto/list-products.query';
import { UpdateProductDto } from './dto/update-product.dto';
import { ProductResource } from './product.serializer';
import { ProductsService } from './products.service';

@Controller({ path: 'products', version: '1' })
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @ApiPage(ProductResource)
  @Get()
  @RequireScopes('read_products')
  @CachedResponse('products')
  list(
    @Ctx() ctx: RequestContext,
    @Query() query: ListProductsQueryDto,
  ): Promise<Page<ProductResource>> {
    return this.products.list(ctx, query);
  }

  @ApiResource(ProductResource, 201)
  @Post()
  @HttpCode(201)
  @RequireScopes('write_products')
  create(@Ctx() ctx: RequestContext, @Body() body: CreateProductDto): Promise<ProductResource> {
    return this.products.create(ctx, body);
  }

  @ApiResource(ProductResource)
  @Get(':id')
  @RequireScopes('read_products')
  @CachedResponse({ productParam: 'id' })
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<ProductResource> {
    return this.products.get(ctx, id);
  }

  @ApiResource(ProductResource)
  @Patch(':id')
  @RequireScopes('write_products')
  update(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() body: UpdateProductDto,
    @IfMatch() expectedVersion: number | undefined,
  ): Promise<ProductResource> {
    return this.products.update(ctx, id, body, expectedVersion);
  }

  @ApiResponse({ status: 204, description: 'Deleted' })
  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('write_products')
  async remove(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @IfMatch() expectedVersion: number | undefined,
  ): Promise<void> {
    await this.products.remove(ctx, id, expectedVersion);
  }
}
