/**
 * The bench-only variant of the admin orders page that the design's thesis is measured against:
 * the same template (OrdersListPage) fed by this project's REST API over HTTP, from a process of
 * its own, as a UI server separate from the API would be built. Each `GET /admin/orders` calls
 * `GET /v1/orders?limit=50` on the app with an orders key (keep-alive connections, undici's
 * default pool), parses the JSON and renders the page. REST lists orders in id order, so it shows
 * the oldest 50 where the hosted page shows the newest 50: the same amount of data per page.
 * It checks no staff session of its own (the API checks its key), which favours it slightly.
 *
 * Environment: BENCH_API_URL (the full app), BENCH_ORDERS_KEY, PORT, HOST.
 */
import Fastify from 'fastify';
import { RequestContext } from '../src/common/request-context';
import { SCOPES } from '../src/common/scopes';
import { OrdersListPage } from '../src/hosted-ui/admin/orders/order-views';
import type { OrderResource } from '../src/orders/order.serializer';
import type { HostedStore } from '../src/platform/stores.service';
import { renderDocument } from '../src/web/render';

const apiUrl = process.env.BENCH_API_URL!;
const key = process.env.BENCH_ORDERS_KEY!;
const store: HostedStore = {
  id: 'store_bench',
  handle: 'bench',
  name: 'Bench Store',
  currency: 'USD',
  hosting: 'hosted',
};
const owner = new RequestContext('bench', store.id, { type: 'staff', id: 'staff_bench' }, SCOPES);

const server = Fastify();
server.get('/health', async () => ({ status: 'ok' }));
server.get('/admin/orders', async (_request, reply) => {
  const response = await fetch(`${apiUrl}/v1/orders?limit=50`, {
    headers: { authorization: `Bearer ${key}` },
  });
  if (!response.ok) return reply.status(502).send(await response.text());
  const page = (await response.json()) as { data: OrderResource[]; nextCursor: string | null };
  return reply
    .type('text/html; charset=utf-8')
    .send(
      renderDocument(
        <OrdersListPage
          store={store}
          staff={owner}
          csrf="bench"
          orders={page.data}
          nextCursor={page.nextCursor}
          atCursor={false}
          livePosition={0}
        />,
      ),
    );
});

void server.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });
