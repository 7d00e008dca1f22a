import type { HostedStore } from '../../platform/stores.service';
import { CsrfField, Field, type FieldErrors, FormErrors } from '../../web/components/forms';
import { formatMoney } from '../../web/money';
import { lineTitle, type PricedCart } from './cart-contents';
import { StorefrontLayout } from './storefront-layout';

/** The field that carries the form's idempotency key: one order per form, however often sent. */
export const CHECKOUT_KEY_FIELD = 'checkoutKey';

/** What is wrong with one line (not enough stock), beside its quantity. */
function LineError(props: { message?: string }) {
  return props.message ? (
    <>
      {' '}
      <small class="field-error">{props.message}</small>
    </>
  ) : null;
}

/** The order summary and the buyer's email; "Place order" creates the order. */
export function CheckoutPage(props: {
  store: HostedStore;
  cartCount: number;
  cart: PricedCart;
  csrf: string;
  checkoutKey: string;
  email?: string;
  errors?: FieldErrors;
  message?: string;
}) {
  const { cart, store } = props;
  return (
    <StorefrontLayout store={store} cartCount={props.cartCount} title="Checkout">
      <h1>Checkout</h1>
      <FormErrors errors={props.errors} message={props.message} />
      <table>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Quantity</th>
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {cart.lines.map(({ line, product, variant, total }, index) => (
            <tr>
              <td>{lineTitle(product, variant)}</td>
              <td>
                {line.quantity}
                <LineError
                  message={
                    props.errors?.[`lineItems.${index}.quantity`] ??
                    props.errors?.[`lineItems.${index}.variantId`]
                  }
                />
              </td>
              <td>{formatMoney(total, store.currency)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              Total
            </th>
            <td class="price">{formatMoney(cart.total, store.currency)}</td>
          </tr>
        </tfoot>
      </table>
      <form method="post" action="/checkout">
        <CsrfField token={props.csrf} />
        <input type="hidden" name={CHECKOUT_KEY_FIELD} value={props.checkoutKey} />
        <Field
          label="Email"
          name="email"
          type="email"
          autocomplete="email"
          value={props.email}
          error={props.errors?.email}
          required
        />
        <button type="submit">Place order</button>
      </form>
      <p>
        <a href="/cart">Back to the cart</a>
      </p>
    </StorefrontLayout>
  );
}
