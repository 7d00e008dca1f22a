import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../common/request-context';
import { TransactionalConnection } from '../database/transactional-connection';
import type { CreateOrderDto } from './dto/order.dto';
import { OrdersService } from './orders.service';

/** The credential the storefront's checkout keys are recorded under (never an API key's id). */
const CHECKOUT_CREDENTIAL = 'storefront-checkout';

/** What one checkout form's key came to: the order it created. */
export interface PlacedOrder {
  readonly orderId: string;
  /** The order was created by an earlier submission of the same form. */
  readonly replayed: boolean;
}

/**
 * "Place order" exactly once per checkout form, whatever the double clicks and resubmissions.
 * The REST guarantee (IdempotencyInterceptor) is an interceptor around an HTTP handler, so it
 * cannot be called in-process; this is the same guarantee on the same table: the form's key is
 * locked with a transaction-level advisory lock, the order is created by OrdersService.create
 * (the method POST /v1/orders calls) in that very transaction, and the key is recorded by it, so
 * the order and its key commit together or not at all. Unlike REST, a concurrent duplicate waits
 * for the first (a browser resubmitting should land on the same confirmation, not on a 409), then
 * finds the key recorded and gets the same order. A refused order records nothing: the buyer may
 * fix the cart and submit the same form again.
 */
@Injectable()
export class CheckoutService {
  constructor(
    private readonly connection: TransactionalConnection,
    private readonly orders: OrdersService,
  ) {}

  /** `order()` is only asked for when the key has no order yet (the cart may be empty by then). */
  placeOnce(
    ctx: RequestContext,
    key: string,
    order: () => Promise<CreateOrderDto>,
  ): Promise<PlacedOrder> {
    return this.connection.run(ctx, async (manager, bound) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [
        `${ctx.storeId}:${CHECKOUT_CREDENTIAL}`,
        key,
      ]);
      const [stored]: { response_body: { orderId: string } }[] = await manager.query(
        'SELECT response_body FROM idempotency_keys WHERE credential_id = $1 AND key = $2',
        [CHECKOUT_CREDENTIAL, key],
      );
      if (stored) return { orderId: stored.response_body.orderId, replayed: true };
      const created = await this.orders.create(bound, await order());
      await manager.query(
        `INSERT INTO idempotency_keys (credential_id, key, request_hash, response_status, response_body)
         VALUES ($1, $2, $3, 201, $4)`,
        [
          CHECKOUT_CREDENTIAL,
          key,
          createHash('sha256').update(key).digest(),
          JSON.stringify({ orderId: created.id }),
        ],
      );
      return { orderId: created.id, replayed: false };
    });
  }
}
