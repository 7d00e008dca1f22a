import type { OrderResource } from '../../orders/order.serializer';
import type { HostedStore } from '../../platform/stores.service';
import { formatMoney } from '../../web/money';
import { StorefrontLayout } from './storefront-layout';

/** What the buyer sees once the order is placed: its number, lines and total. */
export function ConfirmationPage(props: {
  store: HostedStore;
  cartCount: number;
  order: OrderResource;
}) {
  const { order, store } = props;
  return (
    <StorefrontLayout store={store} cartCount={props.cartCount} title={`Order #${order.number}`}>
      <div class="notice" role="status">
        <h1>Thank you! Your order #{order.number} is placed.</h1>
        <p>
          We will write to <strong>{order.email}</strong> about it.
        </p>
      </div>
      <table>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Quantity</th>
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {order.lineItems.map((item) => (
            <tr>
              <td>{item.title}</td>
              <td>{item.quantity}</td>
              <td>{formatMoney(item.total, order.currency)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              Total
            </th>
            <td class="price">{formatMoney(order.total, order.currency)}</td>
          </tr>
        </tfoot>
      </table>
      <p>
        <a href="/">Continue shopping</a>
      </p>
    </StorefrontLayout>
  );
}
