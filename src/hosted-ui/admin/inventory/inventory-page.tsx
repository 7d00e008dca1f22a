import type { ProductResource } from '../../../catalog/product.serializer';
import type { RequestContext } from '../../../common/request-context';
import type { HostedStore } from '../../../platform/stores.service';
import { CsrfField, Field, type FieldErrors, FormErrors } from '../../../web/components/forms';
import { Pagination } from '../../../web/components/pagination';
import { AdminLayout } from '../admin-layout';

export interface InventoryPageProps {
  store: HostedStore;
  staff: RequestContext;
  csrf: string;
  products: readonly ProductResource[];
  nextCursor: string | null;
  cursor?: string;
  /** A refused adjustment: its variant and the messages of its fields. */
  refused?: { variantId: string; errors: FieldErrors; delta: string; reason: string };
}

/** Stock per variant, each row with its adjustment form (POST /v1/inventory/adjustments's service). */
export function InventoryPage(props: InventoryPageProps) {
  const rows = props.products.flatMap((product) =>
    product.variants.map((variant) => ({ product, variant })),
  );
  return (
    <AdminLayout
      store={props.store}
      staff={props.staff}
      csrf={props.csrf}
      title="Inventory"
      section="/admin/inventory"
    >
      <h1>Inventory</h1>
      <FormErrors
        errors={props.refused?.errors}
        message={props.refused && 'The stock was not changed.'}
      />
      {rows.length === 0 ? (
        <p class="muted">No variants yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Product</th>
              <th scope="col">Quantity</th>
              <th scope="col">Adjust</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ product, variant }) => {
              const refused = props.refused?.variantId === variant.id ? props.refused : undefined;
              return (
                <tr id={`stock-${variant.id}`}>
                  <td>{variant.sku}</td>
                  <td>
                    <a href={`/admin/products/${product.id}`}>{product.title}</a>
                  </td>
                  <td class="quantity">{variant.inventoryQuantity}</td>
                  <td>
                    <form method="post" action="/admin/inventory/adjustments">
                      <CsrfField token={props.csrf} />
                      <input type="hidden" name="variantId" value={variant.id} />
                      {props.cursor && <input type="hidden" name="cursor" value={props.cursor} />}
                      <Field
                        label={`Change stock of ${variant.sku} by`}
                        id={`delta-${variant.id}`}
                        name="delta"
                        inputmode="numeric"
                        value={refused?.delta}
                        error={refused?.errors['delta']}
                      />
                      <Field
                        label={`Reason for ${variant.sku}`}
                        id={`reason-${variant.id}`}
                        name="reason"
                        value={refused?.reason}
                        error={refused?.errors['reason']}
                      />
                      <button type="submit" class="secondary">
                        Adjust
                      </button>
                    </form>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <Pagination path="/admin/inventory" nextCursor={props.nextCursor} atCursor={!!props.cursor} />
    </AdminLayout>
  );
}
