import { randomBytes } from 'node:crypto';
import { Body, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../common/errors/domain-error';
import type { RequestContext } from '../../common/request-context';
import { validateInput } from '../../common/validation/validate-input';
import { CreateOrderDto } from '../../orders/dto/order.dto';
import type { HostedStore } from '../../platform/stores.service';
import type { FieldErrors } from '../../web/components/forms';
import { CsrfTokens } from '../../web/csrf-tokens';
import { seeOther, sendDocument } from '../../web/page-reply';
import { BuyerContext, Store } from '../hosted-request';
import { HostedPages } from '../hosted-pages.decorator';
import { CartCookie, itemCount } from './cart-cookie';
import { CartContents } from './cart-contents';
import { CHECKOUT_KEY_FIELD, CheckoutPage } from './checkout-page';
import { CheckoutService } from '../../orders/checkout.service';
import { confirmationPath } from './confirmation.controller';
import { StorefrontSigner } from './storefront-signer';
import { BadForm, formFields } from './storefront-form';

const CHECKOUT_KEY = /^[A-Za-z0-9_-]{16,64}$/;

/** Nothing left to order: back to the (empty) cart. */
class EmptyCart extends Error {}

/** Why the order was refused, per field of the form (email) or line of the cart (stock). */
function fieldErrors(error: DomainError): FieldErrors {
  return Object.fromEntries(
    (error.details.errors ?? []).map((field) => [field.path, field.message]),
  );
}

/** Checkout: the buyer's email, and "Place order" through OrdersService, once per form. */
@HostedPages('checkout')
export class CheckoutController {
  constructor(
    private readonly cart: CartCookie,
    private readonly contents: CartContents,
    private readonly checkout: CheckoutService,
    private readonly signer: StorefrontSigner,
    private readonly csrf: CsrfTokens,
  ) {}

  @Get()
  async show(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @BuyerContext() ctx: RequestContext,
  ): Promise<void> {
    const lines = this.cart.read(request, store.id);
    const cart = await this.contents.price(ctx, lines);
    if (cart.lines.length === 0) return seeOther(reply, '/cart');
    sendDocument(
      reply,
      200,
      <CheckoutPage
        store={store}
        cartCount={itemCount(lines)}
        cart={cart}
        csrf={this.csrf.issue(request, reply)}
        checkoutKey={randomBytes(18).toString('base64url')}
      />,
    );
  }

  @Post()
  async place(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @BuyerContext() ctx: RequestContext,
    @Body() body: unknown,
  ): Promise<void> {
    const fields = formFields(body);
    const key = fields[CHECKOUT_KEY_FIELD];
    if (!key || !CHECKOUT_KEY.test(key)) throw new BadForm();
    const lines = this.cart.read(request, store.id);
    const cart = await this.contents.price(ctx, lines);
    try {
      const placed = await this.checkout.placeOnce(ctx, key, async () => {
        if (cart.lines.length === 0) throw new EmptyCart();
        // The same validation as the body of POST /v1/orders.
        return validateInput(CreateOrderDto, {
          email: fields.email ?? '',
          lineItems: cart.lines.map(({ line }) => ({
            variantId: line.variantId,
            quantity: line.quantity,
          })),
        });
      });
      this.cart.write(reply, store.id, []);
      seeOther(reply, confirmationPath(this.signer, store.id, placed.orderId));
    } catch (error) {
      if (error instanceof EmptyCart) return seeOther(reply, '/cart');
      // Refused input or stock (a variant gone is a 404 naming its line): the form again.
      if (!(error instanceof DomainError) || error.status >= 500) throw error;
      sendDocument(
        reply,
        error.code === 'validation_failed' ? 400 : 409,
        <CheckoutPage
          store={store}
          cartCount={itemCount(lines)}
          cart={cart}
          csrf={this.csrf.issue(request, reply)}
          checkoutKey={key}
          email={fields.email}
          errors={fieldErrors(error)}
          message={error.code === 'validation_failed' ? undefined : error.message}
        />,
      );
    }
  }
}
