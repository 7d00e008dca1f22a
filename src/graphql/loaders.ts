import DataLoader from 'dataloader';
import type { RequestContext } from '../common/request-context';
import type { CustomerResource } from '../customers/customer.serializer';
import type { CustomersService } from '../customers/customers.service';

/**
 * Per-operation batch loaders for relations a page can ask for many times. Variants and line items
 * come with their product or order (the services load a page's worth in one statement); a
 * customer of an order is loaded here, so 50 orders cost one customer query, not 50.
 */
export interface Loaders {
  readonly customer: DataLoader<string, CustomerResource | null>;
}

export function createLoaders(ctx: RequestContext, customers: CustomersService): Loaders {
  return {
    customer: new DataLoader(async (ids) => {
      const found = await customers.getMany(ctx, ids);
      return ids.map((id) => found.get(id) ?? null);
    }),
  };
}
