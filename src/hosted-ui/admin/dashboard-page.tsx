import type { RequestContext } from '../../common/request-context';
import type { OrderResource } from '../../orders/order.serializer';
import type { HostedStore } from '../../platform/stores.service';
import { formatMoney } from '../../web/money';
import { AdminLayout } from './admin-layout';
import { OrderRow } from './orders/order-views';

/** `/admin`: today's orders and revenue, and the latest orders. */
export function DashboardPage(props: {
  store: HostedStore;
  staff: RequestContext;
  csrf: string;
  todayCount: number;
  /** Minor units of the store's currency. */
  todayRevenue: number;
  latest: readonly OrderResource[];
}) {
  return (
    <AdminLayout
      store={props.store}
      staff={props.staff}
      csrf={props.csrf}
      title="Dashboard"
      section="/admin"
    >
      <h1>Dashboard</h1>
      <section aria-labelledby="today">
        <h2 id="today">Today (UTC)</h2>
        <div class="stats">
          <article>
            Orders
            <strong id="today-orders">{props.todayCount}</strong>
          </article>
          <article>
            Revenue
            <strong id="today-revenue">
              {formatMoney(props.todayRevenue, props.store.currency)}
            </strong>
          </article>
        </div>
      </section>
      <section aria-labelledby="latest">
        <h2 id="latest">Latest orders</h2>
        {props.latest.length === 0 ? (
          <p class="muted">No orders yet.</p>
        ) : (
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
              <tbody>
                {props.latest.map((order) => (
                  <OrderRow order={order} />
                ))}
              </tbody>
            </table>
          </figure>
        )}
        <p>
          <a href="/admin/orders">All orders</a>
        </p>
      </section>
    </AdminLayout>
  );
}
