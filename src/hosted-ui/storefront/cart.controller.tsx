import { Body, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../common/errors/domain-error';
import type { RequestContext } from '../../common/request-context';
import { CatalogReads } from '../../catalog/catalog-reads';
import type { HostedStore } from '../../platform/stores.service';
import { CsrfTokens } from '../../web/csrf-tokens';
import { seeOther, sendDocument } from '../../web/page-reply';
import { BuyerContext, Store } from '../hosted-request';
import { HostedPages } from '../hosted-pages.decorator';
import { LiveStreams } from '../live/live-streams';
import { PageNotFound } from '../page-errors';
import {
  addToCart,
  CartCookie,
  itemCount,
  MAX_LINE_QUANTITY,
  setQuantity,
  type CartLine,
} from './cart-cookie';
import { CartContents } from './cart-contents';
import { CartPage } from './cart-page';
import { ProductPage } from './product-page';
import { formFields, quantityOf } from './storefront-form';

/** The cart: its page, and the forms that add, change and remove lines (303 back to it). */
@HostedPages('cart')
export class CartController {
  constructor(
    private readonly products: CatalogReads,
    private readonly cart: CartCookie,
    private readonly contents: CartContents,
    private readonly csrf: CsrfTokens,
    private readonly live: LiveStreams,
  ) {}

  @Get()
  async show(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @BuyerContext() ctx: RequestContext,
  ): Promise<void> {
    const lines = this.cart.read(request, store.id);
    sendDocument(
      reply,
      200,
      <CartPage
        store={store}
        cartCount={itemCount(lines)}
        cart={await this.contents.price(ctx, lines)}
        csrf={this.csrf.issue(request, reply)}
      />,
    );
  }

  /** "Add to cart" on a product page: the variant must be one of an active product's. */
  @Post('lines')
  async add(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @BuyerContext() ctx: RequestContext,
    @Body() body: unknown,
  ): Promise<void> {
    const fields = formFields(body);
    // Read first, as the product page does, should the page be shown again with its error.
    const position = await this.live.position(store.id);
    const product = await this.products
      .product(ctx, fields.productId ?? '')
      .catch((error: unknown) => {
        throw error instanceof DomainError && error.code === 'not_found'
          ? new PageNotFound()
          : error;
      });
    const variant = product.variants.find((candidate) => candidate.id === fields.variantId);
    if (product.status !== 'active' || !variant) throw new PageNotFound();
    const lines = this.cart.read(request, store.id);
    const quantity = quantityOf(fields.quantity, 1, MAX_LINE_QUANTITY);
    if (quantity === undefined) {
      return sendDocument(
        reply,
        400,
        <ProductPage
          store={store}
          cartCount={itemCount(lines)}
          product={product}
          csrf={this.csrf.issue(request, reply)}
          livePosition={position}
          error={`Quantity must be a whole number from 1 to ${MAX_LINE_QUANTITY}.`}
        />,
      );
    }
    const line: CartLine = { productId: product.id, variantId: variant.id, quantity };
    this.cart.write(reply, store.id, addToCart(lines, line));
    seeOther(reply, '/cart');
  }

  /** A line's new quantity (0 removes it). */
  @Post('lines/:variantId')
  async change(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @BuyerContext() ctx: RequestContext,
    @Param('variantId') variantId: string,
    @Body() body: unknown,
  ): Promise<void> {
    const lines = this.cart.read(request, store.id);
    const quantity = quantityOf(formFields(body).quantity, 0, MAX_LINE_QUANTITY);
    if (quantity === undefined) {
      return sendDocument(
        reply,
        400,
        <CartPage
          store={store}
          cartCount={itemCount(lines)}
          cart={await this.contents.price(ctx, lines)}
          csrf={this.csrf.issue(request, reply)}
          error={`Quantity must be a whole number from 0 to ${MAX_LINE_QUANTITY}.`}
        />,
      );
    }
    this.cart.write(reply, store.id, setQuantity(lines, variantId, quantity));
    seeOther(reply, '/cart');
  }

  @Post('lines/:variantId/remove')
  remove(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @Param('variantId') variantId: string,
  ): void {
    this.cart.write(reply, store.id, setQuantity(this.cart.read(request, store.id), variantId, 0));
    seeOther(reply, '/cart');
  }
}
