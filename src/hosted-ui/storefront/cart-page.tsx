import type { HostedStore } from '../../platform/stores.service';
import { CsrfField, FormErrors } from '../../web/components/forms';
import { formatMoney } from '../../web/money';
import { MAX_LINE_QUANTITY } from './cart-cookie';
import { lineTitle, type PricedCart } from './cart-contents';
import { productPath } from './product-page';
import { StorefrontLayout } from './storefront-layout';

/** The cart: each line with a quantity to change or remove, the total, and the way to checkout. */
export function CartPage(props: {
  store: HostedStore;
  cartCount: number;
  cart: PricedCart;
  csrf: string;
  error?: string;
}) {
  const { cart, store } = props;
  return (
    <StorefrontLayout store={store} cartCount={props.cartCount} title="Cart">
      <h1>Your cart</h1>
      <FormErrors message={props.error} />
      {cart.lines.length === 0 ? (
        <p>
          Your cart is empty. <a href="/">Browse the products</a>.
        </p>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Price</th>
                <th scope="col">Quantity</th>
                <th scope="col">Total</th>
                <th scope="col">
                  <span class="muted">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {cart.lines.map(({ line, product, variant, total }) => {
                const id = `quantity-${variant.id}`;
                const title = lineTitle(product, variant);
                return (
                  <tr>
                    <td>
                      <a href={productPath(product)}>{title}</a>
                    </td>
                    <td>{formatMoney(variant.price, store.currency)}</td>
                    <td>
                      <form method="post" action={`/cart/lines/${variant.id}`} class="actions">
                        <CsrfField token={props.csrf} />
                        <label for={id}>
                          <span class="muted">Quantity</span>
                          <input
                            id={id}
                            name="quantity"
                            type="number"
                            min={0}
                            max={MAX_LINE_QUANTITY}
                            value={String(line.quantity)}
                            inputMode="numeric"
                            aria-label={`Quantity of ${title}`}
                          />
                        </label>
                        <button type="submit" class="secondary">
                          Update
                        </button>
                      </form>
                    </td>
                    <td class="price">{formatMoney(total, store.currency)}</td>
                    <td>
                      <form method="post" action={`/cart/lines/${variant.id}/remove`}>
                        <CsrfField token={props.csrf} />
                        <button type="submit" class="outline" aria-label={`Remove ${title}`}>
                          Remove
                        </button>
                      </form>
                    </td>
                  </tr>
                );
              })}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={3}>
                  Total
                </th>
                <td class="price">{formatMoney(cart.total, store.currency)}</td>
                <td />
              </tr>
            </tfoot>
          </table>
          <form method="get" action="/checkout">
            <button type="submit">Checkout</button>
          </form>
        </>
      )}
    </StorefrontLayout>
  );
}
