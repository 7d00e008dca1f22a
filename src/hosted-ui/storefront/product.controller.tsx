import { Get, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ProductResource } from '../../catalog/product.serializer';
import { CatalogReads } from '../../catalog/catalog-reads';
import type { RequestContext } from '../../common/request-context';
import type { InventoryLevelResource } from '../../inventory/inventory-level.serializer';
import type { HostedStore } from '../../platform/stores.service';
import { CsrfTokens } from '../../web/csrf-tokens';
import { sendDocument } from '../../web/page-reply';
import { renderFragment } from '../../web/render';
import { BuyerContext, Store } from '../hosted-request';
import { HostedPages } from '../hosted-pages.decorator';
import type { LiveUpdate, LiveView } from '../live/live-streams';
import { LiveStreams } from '../live/live-streams';
import { PageNotFound } from '../page-errors';
import { CartCookie, itemCount } from './cart-cookie';
import { ProductPage } from './product-page';
import { StockBadge } from './stock-badge';

/** Only an active product is on the storefront; a draft or archived one is not found. */
async function activeProduct(
  products: CatalogReads,
  ctx: RequestContext,
  handle: string,
): Promise<ProductResource> {
  const product = await products.productByHandle(ctx, handle);
  if (product.status !== 'active') throw new PageNotFound();
  return product;
}

function stockUpdate(variant: { id: string; inventoryQuantity: number }): LiveUpdate {
  return { swap: 'replace', html: renderFragment(<StockBadge variant={variant} />) };
}

/**
 * The product page's stock, live: a stock change of one of its variants (an order, an
 * adjustment) or an edit of the product replaces the variant's badge. Stock is what a buyer may
 * see anyway; events of other products change nothing.
 */
export function productStockView(productId: string): LiveView {
  return (event) => {
    if (event.type === 'inventory.updated') {
      const level = event.data.object as InventoryLevelResource;
      return level.productId === productId
        ? [stockUpdate({ id: level.variantId, inventoryQuantity: level.inventoryQuantity })]
        : [];
    }
    if (event.type === 'product.updated') {
      const product = event.data.object as ProductResource;
      return product.id === productId ? product.variants.map(stockUpdate) : [];
    }
    return [];
  };
}

@HostedPages('products')
export class ProductController {
  constructor(
    private readonly products: CatalogReads,
    private readonly cart: CartCookie,
    private readonly csrf: CsrfTokens,
    private readonly live: LiveStreams,
  ) {}

  @Get(':handle')
  async show(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @BuyerContext() ctx: RequestContext,
    @Param('handle') handle: string,
  ): Promise<void> {
    // Read before the product: an event committed in between is replayed, never missed.
    const position = await this.live.position(store.id);
    const product = await activeProduct(this.products, ctx, handle);
    sendDocument(
      reply,
      200,
      <ProductPage
        store={store}
        cartCount={itemCount(this.cart.read(request, store.id))}
        product={product}
        csrf={this.csrf.issue(request, reply)}
        livePosition={position}
      />,
    );
  }

  @Get(':handle/live')
  async stream(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @BuyerContext() ctx: RequestContext,
    @Param('handle') handle: string,
  ): Promise<void> {
    const product = await activeProduct(this.products, ctx, handle);
    await this.live.open(request, reply, store.id, productStockView(product.id));
  }
}
