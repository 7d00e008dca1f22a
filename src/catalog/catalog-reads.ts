import { Injectable } from '@nestjs/common';
import { CachedReads } from '../cache/cached-reads';
import { pageDependencies, type ReadRecorder } from '../cache/response-cache';
import { Page } from '../common/pagination';
import type { RequestContext } from '../common/request-context';
import type { ListProductsQueryDto } from './dto/list-products.query';
import type { ProductResource } from './product.serializer';
import { ProductsService } from './products.service';

/**
 * The catalogue's reads through the response cache, for the transports that do not cache bytes
 * (GraphQL's product fields, the hosted storefront): the same answers as ProductsService, from
 * memory while no committed change made them stale. Never inside a write's transaction: a write
 * reads what it changes with ProductsService. A `recorder` collects what each read depends on, so
 * an answer made of these reads can be kept whole (a GraphQL operation).
 */
@Injectable()
export class CatalogReads {
  constructor(
    private readonly products: ProductsService,
    private readonly reads: CachedReads,
  ) {}

  product(
    ctx: RequestContext,
    productId: string,
    recorder?: ReadRecorder,
  ): Promise<ProductResource> {
    return this.reads.read(
      ctx,
      `product ${productId}`,
      { products: [productId] },
      () => this.products.get(ctx, productId),
      recorder,
    );
  }

  /**
   * A storefront address. The product found depends on its own changes (a new handle); a handle
   * not found is not kept, so a product that takes it later is found at once.
   */
  productByHandle(
    ctx: RequestContext,
    handle: string,
    recorder?: ReadRecorder,
  ): Promise<ProductResource> {
    return this.reads.read(
      ctx,
      `handle ${handle}`,
      {},
      async (entry) => {
        const product = await this.products.getByHandle(ctx, handle);
        entry.holds([product.id]);
        return product;
      },
      recorder,
    );
  }

  async list(
    ctx: RequestContext,
    query: ListProductsQueryDto,
    recorder?: ReadRecorder,
  ): Promise<Page<ProductResource>> {
    const key = JSON.stringify([query.limit, query.cursor, query.status, query.updatedSince]);
    const filtered = query.status !== undefined || query.updatedSince !== undefined;
    const page = await this.reads.read(
      ctx,
      `products ${key}`,
      pageDependencies(filtered),
      async (entry) => {
        const { data, nextCursor } = await this.products.list(ctx, query);
        entry.holds(data.map((product) => product.id));
        // Kept as plain JSON (what L2 gives back), rebuilt as a Page for the caller.
        return { data, nextCursor };
      },
      recorder,
    );
    return new Page(page.data, page.nextCursor);
  }
}
