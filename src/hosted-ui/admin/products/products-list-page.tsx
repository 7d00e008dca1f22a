import type { ProductResource } from '../../../catalog/product.serializer';
import type { RequestContext } from '../../../common/request-context';
import type { HostedStore } from '../../../platform/stores.service';
import { Pagination } from '../../../web/components/pagination';
import { formatMoney } from '../../../web/money';
import { AdminLayout } from '../admin-layout';

export interface ProductsListPageProps {
  store: HostedStore;
  staff: RequestContext;
  csrf: string;
  products: readonly ProductResource[];
  query: string;
  nextCursor: string | null;
  atCursor: boolean;
}

/** Lowest to highest price of the variants: `€5.00 – €12.50`. */
function priceRange(product: ProductResource, currency: string): string {
  const prices = product.variants.map((variant) => variant.price);
  if (prices.length === 0) return '';
  const low = Math.min(...prices);
  const high = Math.max(...prices);
  return low === high
    ? formatMoney(low, currency)
    : `${formatMoney(low, currency)} – ${formatMoney(high, currency)}`;
}

const BADGE = { active: 'ok', draft: 'warn', archived: 'bad' } as Record<string, string>;

export function ProductsListPage(props: ProductsListPageProps) {
  return (
    <AdminLayout
      store={props.store}
      staff={props.staff}
      csrf={props.csrf}
      title="Products"
      section="/admin/products"
    >
      <div class="actions">
        <h1>Products</h1>
        <a href="/admin/products/new" class="button-link">
          New product
        </a>
      </div>
      <form method="get" action="/admin/products" role="search">
        <label for="product-search">
          Search by name
          <input id="product-search" type="search" name="q" value={props.query} />
        </label>
        <button type="submit" class="secondary">
          Search
        </button>
      </form>
      {props.products.length === 0 ? (
        <p class="muted">{props.query ? 'No product matches.' : 'No products yet.'}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Status</th>
              <th scope="col">Variants</th>
              <th scope="col">Price</th>
            </tr>
          </thead>
          <tbody>
            {props.products.map((product) => (
              <tr id={`product-${product.id}`}>
                <td>
                  <a href={`/admin/products/${product.id}`}>{product.title}</a>
                </td>
                <td>
                  <span class={`badge ${BADGE[product.status] ?? ''}`}>{product.status}</span>
                </td>
                <td>{product.variants.length}</td>
                <td class="price">{priceRange(product, props.store.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pagination
        path="/admin/products"
        nextCursor={props.nextCursor}
        atCursor={props.atCursor}
        query={{ q: props.query || undefined }}
      />
    </AdminLayout>
  );
}
