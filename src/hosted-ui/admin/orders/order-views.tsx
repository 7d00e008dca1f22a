import type { OrderResource } from '../../../orders/order.serializer';
import type { HostedStore } from '../../../platform/stores.service';
import type { RequestContext } from '../../../common/request-context';
import { Pagination } from '../../../web/components/pagination';
import { formatMoney } from '../../../web/money';
import { AdminLayout } from '../admin-layout';

/** The id of the list's rows, which live updates prepend to. */
export const ORDER_ROWS = 'order-rows';

function StatusBadge(props: { status: string }) {
  const tone =
    props.status === 'paid' || props.status === 'fulfilled'
      ? 'ok'
      : props.status === 'cancelled' || props.status === 'refunded'
        ? 'bad'
        : 'warn';
  return <span class={`badge ${tone}`}>{props.status}</span>;
}

/** One order of the list; its id lets a live update replace it. */
export function OrderRow(props: { order: OrderResource }) {
  const { order } = props;
  return (
    <tr id={`order-${order.id}`}>
      <td>
        <a href={`/admin/orders/${order.id}`}>#{order.number}</a>
      </td>
      <td>{order.email}</td>
      <td class="number">{formatMoney(order.total, order.currency)}</td>
      <td>
        <StatusBadge status={order.status === 'cancelled' ? 'cancelled' : order.financialStatus} />{' '}
        <StatusBadge status={order.fulfillmentStatus} />
      </td>
      <td>
        <time dateTime={order.createdAt}>{order.createdAt.slice(0, 16).replace('T', ' ')}</time>
      </td>
    </tr>
  );
}

export interface OrdersListPageProps {
  readonly store: HostedStore;
  readonly staff: RequestContext;
  readonly csrf: string;
  /** The orders as REST serializes them (`GET /v1/orders`'s `data`), newest first. */
  readonly orders: readonly OrderResource[];
  readonly nextCursor: string | null;
  readonly atCursor: boolean;
  /** The store's event log position read before the orders: where the live stream starts. */
  readonly livePosition: number;
}

/** `/admin/orders`: newest first, a new order appearing at the top as it commits. */
export function OrdersListPage(props: OrdersListPageProps) {
  return (
    <AdminLayout
      store={props.store}
      staff={props.staff}
      csrf={props.csrf}
      title="Orders"
      section="/admin/orders"
    >
      <section data-live="/admin/orders/live" data-live-after={String(props.livePosition)}>
        <hgroup>
          <h1>Orders</h1>
          <p>
            Newest first. <span class="live-status muted" aria-live="polite" />
          </p>
        </hgroup>
        <figure>
          <table>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Email</th>
                <th scope="col" class="number">
                  Total
                </th>
                <th scope="col">Status</th>
                <th scope="col">Placed (UTC)</th>
              </tr>
            </thead>
            <tbody id={ORDER_ROWS}>
              {props.orders.map((order) => (
                <OrderRow order={order} />
              ))}
            </tbody>
          </table>
        </figure>
        {props.orders.length === 0 && <p class="muted">No orders yet.</p>}
      </section>
      <Pagination path="/admin/orders" nextCursor={props.nextCursor} atCursor={props.atCursor} />
    </AdminLayout>
  );
}
