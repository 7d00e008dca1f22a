import type { ProductResource } from '../../catalog/product.serializer';
import type { HostedStore } from '../../platform/stores.service';
import { CsrfField, Field, FormErrors } from '../../web/components/forms';
import { formatMoney } from '../../web/money';
import { MAX_LINE_QUANTITY } from './cart-cookie';
import { StockBadge } from './stock-badge';
import { StorefrontLayout } from './storefront-layout';

export function productPath(product: Pick<ProductResource, 'handle'>): string {
  return `/products/${encodeURIComponent(product.handle)}`;
}

/** One product: its variants with price and stock (live), and the form that adds to the cart. */
export function ProductPage(props: {
  store: HostedStore;
  cartCount: number;
  product: ProductResource;
  csrf: string;
  livePosition: number;
  error?: string;
}) {
  const { product, store } = props;
  return (
    <StorefrontLayout store={store} cartCount={props.cartCount} title={product.title}>
      <nav aria-label="Breadcrumb">
        <ul>
          <li>
            <a href="/">All products</a>
          </li>
          <li>{product.title}</li>
        </ul>
      </nav>
      <article>
        <h1>{product.title}</h1>
        {product.description && <p>{product.description}</p>}
        <section
          aria-label="Variants"
          data-live={`${productPath(product)}/live`}
          data-live-after={props.livePosition}
        >
          <small class="live-status muted" aria-live="polite" />
          <table>
            <thead>
              <tr>
                <th scope="col">Variant</th>
                <th scope="col">Price</th>
                <th scope="col">Availability</th>
              </tr>
            </thead>
            <tbody>
              {product.variants.map((variant) => (
                <tr>
                  <td>{variant.title || 'Default'}</td>
                  <td class="price">{formatMoney(variant.price, store.currency)}</td>
                  <td>
                    <StockBadge variant={variant} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <FormErrors message={props.error} />
        <form method="post" action="/cart/lines">
          <CsrfField token={props.csrf} />
          <input type="hidden" name="productId" value={product.id} />
          <label for="field-variantId">
            Variant
            <select id="field-variantId" name="variantId">
              {product.variants.map((variant) => (
                <option value={variant.id}>
                  {`${variant.title || 'Default'} – ${formatMoney(variant.price, store.currency)}`}
                </option>
              ))}
            </select>
          </label>
          <Field
            label="Quantity"
            name="quantity"
            type="number"
            value={1}
            min={1}
            max={MAX_LINE_QUANTITY}
            inputmode="numeric"
            required
          />
          <button type="submit">Add to cart</button>
        </form>
      </article>
    </StorefrontLayout>
  );
}
