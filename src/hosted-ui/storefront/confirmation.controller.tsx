import { Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../common/request-context';
import { OrdersService } from '../../orders/orders.service';
import type { HostedStore } from '../../platform/stores.service';
import { sendDocument } from '../../web/page-reply';
import { BuyerContext, Store } from '../hosted-request';
import { HostedPages } from '../hosted-pages.decorator';
import { PageNotFound } from '../page-errors';
import { CartCookie, itemCount } from './cart-cookie';
import { ConfirmationPage } from './confirmation-page';
import { StorefrontSigner } from './storefront-signer';

/**
 * The confirmation's address carries a signature of the order's id: only the buyer it was sent
 * to (the browser that placed the order) can open it; a guessed or altered id is not found.
 */
export function confirmationPath(signer: StorefrontSigner, storeId: string, orderId: string) {
  const token = signer.sign('order-receipt', storeId, orderId);
  return `/orders/${orderId}/confirmation?${new URLSearchParams({ token })}`;
}

@HostedPages('orders')
export class ConfirmationController {
  constructor(
    private readonly orders: OrdersService,
    private readonly signer: StorefrontSigner,
    private readonly cart: CartCookie,
  ) {}

  @Get(':id/confirmation')
  async show(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @BuyerContext() ctx: RequestContext,
    @Param('id') orderId: string,
    @Query('token') token: unknown,
  ): Promise<void> {
    if (!this.signer.verify('order-receipt', store.id, orderId, token)) throw new PageNotFound();
    const order = await this.orders.get(ctx, orderId);
    sendDocument(
      reply,
      200,
      <ConfirmationPage
        store={store}
        cartCount={itemCount(this.cart.read(request, store.id))}
        order={order}
      />,
    );
  }
}
