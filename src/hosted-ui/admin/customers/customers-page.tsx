import type { RequestContext } from '../../../common/request-context';
import type { CustomerResource } from '../../../customers/customer.serializer';
import type { HostedStore } from '../../../platform/stores.service';
import { Pagination } from '../../../web/components/pagination';
import { AdminLayout } from '../admin-layout';

export interface CustomersPageProps {
  readonly store: HostedStore;
  readonly staff: RequestContext;
  readonly csrf: string;
  /** The customers as REST serializes them (`GET /v1/customers`'s `data`). */
  readonly customers: readonly CustomerResource[];
  readonly nextCursor: string | null;
  readonly atCursor: boolean;
}

/** `/admin/customers`: the store's customers, in the order REST lists them. */
export function CustomersPage(props: CustomersPageProps) {
  return (
    <AdminLayout
      store={props.store}
      staff={props.staff}
      csrf={props.csrf}
      title="Customers"
      section="/admin/customers"
    >
      <h1>Customers</h1>
      <figure>
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Phone</th>
              <th scope="col">Since (UTC)</th>
            </tr>
          </thead>
          <tbody id="customers">
            {props.customers.map((customer) => (
              <tr id={`customer-${customer.id}`}>
                <td>{`${customer.firstName} ${customer.lastName}`.trim() || '—'}</td>
                <td>{customer.email}</td>
                <td>{customer.phone || '—'}</td>
                <td>
                  <time dateTime={customer.createdAt}>{customer.createdAt.slice(0, 10)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </figure>
      {props.customers.length === 0 && <p class="muted">No customers yet.</p>}
      <Pagination path="/admin/customers" nextCursor={props.nextCursor} atCursor={props.atCursor} />
    </AdminLayout>
  );
}
