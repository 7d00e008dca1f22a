import { Injectable } from '@nestjs/common';
import { CachedReads } from '../cache/cached-reads';
import { Page } from '../common/pagination';
import type { RequestContext } from '../common/request-context';
import type { ListProductsQueryDto } from './dto/list-products.query';
import type { ProductResource } from './product.serializer';
import { ProductsService } from './products.service';

/**
 * The catalogue's reads through the response cache, for the transports that do not cache bytes
 * (GraphQL's product fields, the hosted storefront): the same answers as ProductsService, from
 * memory while no committed change made them stale. Never inside a write's transaction: a write
 * reads what it changes with ProductsService.
 */
@Injectable()
export class CatalogReads {
  constructor(
    private readonly products: ProductsService,
    private readonly reads: CachedReads,
  ) {}

  product(ctx: RequestContext, productId: string): Promise<ProductResource> {
    return this.reads.read(ctx, `product ${productId}`, { product: productId }, () =>
      this.products.get(ctx, productId),
    );
  }

  /** A storefront address: any change of the store's products may move a handle, so any drops it. */
  productByHandle(ctx: RequestContext, handle: string): Promise<ProductResource> {
    return this.reads.read(ctx, `handle ${handle}`, { products: true }, () =>
      this.products.getByHandle(ctx, handle),
    );
  }

  async list(ctx: RequestContext, query: ListProductsQueryDto): Promise<Page<ProductResource>> {
    const key = JSON.stringify([query.limit, query.cursor, query.status, query.updatedSince]);
    const page = await this.reads.read(ctx, `products ${key}`, { products: true }, async () => {
      const { data, nextCursor } = await this.products.list(ctx, query);
      // Kept as plain JSON (what L2 gives back), rebuilt as a Page for the caller.
      return { data, nextCursor };
    });
    return new Page(page.data, page.nextCursor);
  }
}
