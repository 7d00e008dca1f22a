import type { RequestContext } from '../../../common/request-context';
import type { OrderResource } from '../../../orders/order.serializer';
import type { HostedStore } from '../../../platform/stores.service';
import { ActionForm, Field, FormErrors } from '../../../web/components/forms';
import { formatMoney } from '../../../web/money';
import { AdminLayout } from '../admin-layout';

/** `/admin/orders/{id}`: the order, and what can be done with it. */
export function OrderDetailPage(props: {
  store: HostedStore;
  staff: RequestContext;
  csrf: string;
  order: OrderResource;
  error?: string;
}) {
  const { order } = props;
  const money = (amount: number) => formatMoney(amount, order.currency);
  const base = `/admin/orders/${order.id}`;
  return (
    <AdminLayout
      store={props.store}
      staff={props.staff}
      csrf={props.csrf}
      title={`Order #${order.number}`}
      section="/admin/orders"
    >
      <hgroup>
        <h1>Order #{order.number}</h1>
        <p>
          {order.email} · {order.status} · {order.financialStatus} · {order.fulfillmentStatus}
        </p>
      </hgroup>
      <FormErrors message={props.error} />
      <figure>
        <table>
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">SKU</th>
              <th scope="col" class="number">
                Quantity
              </th>
              <th scope="col" class="number">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {order.lineItems.map((item) => (
              <tr>
                <td>{item.title}</td>
                <td>{item.sku}</td>
                <td class="number">{item.quantity}</td>
                <td class="number">{money(item.total)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>
                Total
              </th>
              <td class="number">{money(order.total)}</td>
            </tr>
          </tfoot>
        </table>
      </figure>
      {order.trackingNumber && (
        <p>
          Tracking: {order.trackingNumber}
          {order.carrier && ` (${order.carrier})`}
        </p>
      )}
      {order.cancelReason && <p>Cancelled: {order.cancelReason}</p>}
      <div class="grid">
        <article>
          <ActionForm action={`${base}/pay`} csrf={props.csrf} label="Mark as paid" />
        </article>
        <article>
          <ActionForm action={`${base}/fulfill`} csrf={props.csrf} label="Fulfill">
            <Field label="Tracking number" name="trackingNumber" maxLength={100} />
            <Field label="Carrier" name="carrier" maxLength={100} />
          </ActionForm>
        </article>
        <article>
          <ActionForm
            action={`${base}/cancel`}
            csrf={props.csrf}
            label="Cancel"
            variant="secondary"
          >
            <Field label="Reason" name="reason" maxLength={255} />
          </ActionForm>
        </article>
      </div>
    </AdminLayout>
  );
}
