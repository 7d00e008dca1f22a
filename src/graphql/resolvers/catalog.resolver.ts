import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../auth/ctx.decorator';
import { CatalogReads } from '../../catalog/catalog-reads';
import { RequireScopes } from '../../auth/require-scopes.decorator';
import type { ReadRecorder } from '../../cache/response-cache';
import { CreateProductDto } from '../../catalog/dto/create-product.dto';
import { ListProductsQueryDto } from '../../catalog/dto/list-products.query';
import { UpdateProductDto } from '../../catalog/dto/update-product.dto';
import { ProductResource } from '../../catalog/product.serializer';
import { ProductsService } from '../../catalog/products.service';
import { RequestContext } from '../../common/request-context';
import { validateInput } from '../../common/validation/validate-input';
import { mutationPayload } from '../mutation-payload';
import { CachedRead } from '../operation-cache.plugin';
import {
  DeletePayload,
  Product,
  ProductConnection,
  ProductFilter,
  ProductInput,
  ProductPayload,
} from '../types/catalog.types';
import { Connection, toConnection } from '../types/common.types';
import { pageQuery } from './page-args';

@Resolver(() => Product)
export class CatalogResolver {
  constructor(
    private readonly catalog: ProductsService,
    private readonly reads: CatalogReads,
  ) {}

  @Query(() => Product, { nullable: true, description: 'Null when the store has no such product' })
  @CachedRead('read_products')
  async product(
    @Ctx() ctx: RequestContext,
    @Context('operationReads') recorder: ReadRecorder | undefined,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<ProductResource | null> {
    return this.reads.product(ctx, id, recorder).catch(nullWhenNotFound);
  }

  @Query(() => ProductConnection)
  @CachedRead('read_products')
  async products(
    @Ctx() ctx: RequestContext,
    @Context('operationReads') recorder: ReadRecorder | undefined,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
    @Args('filter', { type: () => ProductFilter, nullable: true }) filter?: ProductFilter,
  ): Promise<Connection<ProductResource>> {
    const query = validateInput(ListProductsQueryDto, { ...pageQuery(first, after), ...filter });
    return toConnection(await this.reads.list(ctx, query, recorder));
  }

  @Mutation(() => ProductPayload)
  @RequireScopes('write_products')
  productCreate(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => ProductInput }) input: ProductInput,
  ) {
    return mutationPayload('product', () =>
      this.catalog.create(ctx, validateInput(CreateProductDto, input)),
    );
  }

  @Mutation(() => ProductPayload)
  @RequireScopes('write_products')
  productUpdate(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { type: () => ProductInput }) input: ProductInput,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
  ) {
    return mutationPayload('product', () =>
      this.catalog.update(ctx, id, validateInput(UpdateProductDto, input), expectedVersion),
    );
  }

  @Mutation(() => DeletePayload)
  @RequireScopes('write_products')
  productDelete(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
  ) {
    return mutationPayload('deletedId', async () => {
      await this.catalog.remove(ctx, id, expectedVersion);
      return id;
    });
  }
}

export function nullWhenNotFound(error: unknown): null {
  if (error instanceof Error && 'code' in error && error.code === 'not_found') return null;
  throw error;
}
