import { Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ListProductsQueryDto } from '../../catalog/dto/list-products.query';
import { CatalogReads } from '../../catalog/catalog-reads';
import type { RequestContext } from '../../common/request-context';
import { validateInput } from '../../common/validation/validate-input';
import type { HostedStore } from '../../platform/stores.service';
import { sendDocument } from '../../web/page-reply';
import { BuyerContext, Store } from '../hosted-request';
import { HostedPages } from '../hosted-pages.decorator';
import { CartCookie, itemCount } from './cart-cookie';
import { HomePage } from './home-page';

const PRODUCTS_PER_PAGE = 24;

/** The storefront's home: the active products, a page at a time. */
@HostedPages('')
export class HomeController {
  constructor(
    private readonly products: CatalogReads,
    private readonly cart: CartCookie,
  ) {}

  @Get()
  async show(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @BuyerContext() ctx: RequestContext,
    @Query('cursor') cursor?: string,
  ): Promise<void> {
    // The same query and validation as GET /v1/products?status=active: a bad cursor is a 400 page.
    const query = validateInput(ListProductsQueryDto, {
      status: 'active',
      limit: PRODUCTS_PER_PAGE,
      ...(typeof cursor === 'string' && cursor ? { cursor } : {}),
    });
    const page = await this.products.list(ctx, query);
    sendDocument(
      reply,
      200,
      <HomePage
        store={store}
        cartCount={itemCount(this.cart.read(request, store.id))}
        products={page.data}
        nextCursor={page.nextCursor}
        atCursor={query.cursor !== undefined}
      />,
    );
  }
}
