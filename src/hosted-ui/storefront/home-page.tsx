import type { ProductResource } from '../../catalog/product.serializer';
import type { HostedStore } from '../../platform/stores.service';
import { Pagination } from '../../web/components/pagination';
import { formatMoney } from '../../web/money';
import { productPath } from './product-page';
import { StorefrontLayout } from './storefront-layout';

/** From the lowest price: what a buyer sees first of a product with several variants. */
function priceOf(product: ProductResource, currency: string): string {
  const prices = product.variants.map((variant) => variant.price);
  if (prices.length === 0) return '';
  const lowest = Math.min(...prices);
  const text = formatMoney(lowest, currency);
  return prices.some((price) => price !== lowest) ? `From ${text}` : text;
}

/** The store's active products, a page at a time. */
export function HomePage(props: {
  store: HostedStore;
  cartCount: number;
  products: readonly ProductResource[];
  nextCursor: string | null;
  atCursor: boolean;
}) {
  return (
    <StorefrontLayout store={props.store} cartCount={props.cartCount} title="Products">
      <h1>{props.store.name}</h1>
      {props.products.length === 0 ? (
        <p class="muted">No products here yet. Please come back soon.</p>
      ) : (
        <div class="product-grid">
          {props.products.map((product) => (
            <article>
              <h2>
                <a href={productPath(product)}>{product.title}</a>
              </h2>
              <p class="price">{priceOf(product, props.store.currency)}</p>
            </article>
          ))}
        </div>
      )}
      <Pagination path="/" nextCursor={props.nextCursor} atCursor={props.atCursor} />
    </StorefrontLayout>
  );
}
