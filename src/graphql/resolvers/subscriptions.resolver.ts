import { Args, Resolver, Subscription } from '@nestjs/graphql';
import { Ctx } from '../../auth/ctx.decorator';
import { RequireScopes } from '../../auth/require-scopes.decorator';
import type { RequestContext } from '../../common/request-context';
import { CredentialWatch } from '../../auth/credential-watch';
import { EventType, visibleEventTypes } from '../../events/event-catalog';
import type { EventEnvelope } from '../../events/event-envelope';
import { LiveEvents } from '../../events/live-events';
import { Product } from '../types/catalog.types';
import { InventoryLevel, Order } from '../types/commerce.types';
import { Event } from '../types/event.types';

/**
 * Live events over graphql-ws, from the live-events stream: only the credential's store, only
 * the types its read scopes reach, only what has committed, in commit order and each once, and
 * only while the credential stays valid. Each field is an async iterator whose `return()` (the
 * client completes or disconnects) detaches it from the stream at once.
 */
@Resolver()
export class SubscriptionsResolver {
  constructor(
    private readonly live: LiveEvents,
    private readonly credentials: CredentialWatch,
  ) {}

  @Subscription(() => Event, {
    description: 'Every event the credential may read, or only `types` among them',
    resolve: (event: EventEnvelope<object>): Event => ({
      id: event.id,
      type: event.type,
      createdAt: event.createdAt,
      payload: event as unknown as Record<string, unknown>,
    }),
  })
  @RequireScopes()
  events(
    @Ctx() ctx: RequestContext,
    @Args('types', { type: () => [String], nullable: true }) types?: string[],
    @Args('after', {
      type: () => String,
      nullable: true,
      description:
        'Resume after this event id (the last one received): every later event of the store is sent, in order, then the live ones',
    })
    after?: string,
  ): Promise<AsyncIterableIterator<EventEnvelope<object>>> {
    const visible = new Set<string>(visibleEventTypes(ctx.scopes));
    const wanted = types ? new Set(types.filter((type) => visible.has(type))) : visible;
    return this.stream(ctx, (event) => wanted.has(event.type), after);
  }

  @Subscription(() => Order, { resolve: objectOf })
  @RequireScopes('read_orders')
  orderCreated(@Ctx() ctx: RequestContext): Promise<AsyncIterableIterator<EventEnvelope<object>>> {
    return this.ofType(ctx, 'order.created');
  }

  @Subscription(() => Order, {
    description: 'Every change of an order (also paid, fulfilled, cancelled)',
    resolve: objectOf,
  })
  @RequireScopes('read_orders')
  orderUpdated(@Ctx() ctx: RequestContext): Promise<AsyncIterableIterator<EventEnvelope<object>>> {
    return this.ofType(ctx, 'order.updated');
  }

  @Subscription(() => Product, { resolve: objectOf })
  @RequireScopes('read_products')
  productUpdated(
    @Ctx() ctx: RequestContext,
  ): Promise<AsyncIterableIterator<EventEnvelope<object>>> {
    return this.ofType(ctx, 'product.updated');
  }

  @Subscription(() => InventoryLevel, { resolve: objectOf })
  @RequireScopes('read_inventory')
  inventoryUpdated(
    @Ctx() ctx: RequestContext,
  ): Promise<AsyncIterableIterator<EventEnvelope<object>>> {
    return this.ofType(ctx, 'inventory.updated');
  }

  private ofType(ctx: RequestContext, type: EventType) {
    return this.stream(ctx, (event) => event.type === type);
  }

  private async stream(
    ctx: RequestContext,
    keep: (event: EventEnvelope<object>) => boolean,
    afterEventId?: string,
  ): Promise<AsyncIterableIterator<EventEnvelope<object>>> {
    const detach = new AbortController();
    const source = await this.live.subscribe(ctx.requireStore(), {
      afterEventId,
      signal: detach.signal,
    });
    // A revoked key (or suspended store) ends the subscription: the client sees it complete.
    const unwatch = this.credentials.watch(ctx, () => detach.abort());
    async function* filtered() {
      try {
        for await (const { event } of source) if (keep(event)) yield event;
      } finally {
        unwatch();
      }
    }
    const events = filtered();
    const iterator: AsyncIterableIterator<EventEnvelope<object>> = {
      next: () => events.next(),
      // An async generator waiting for its next event would only see return() after that
      // event; aborting the subscription ends the wait now.
      return: async () => {
        detach.abort();
        return events.return(undefined);
      },
      throw: (error: unknown) => {
        detach.abort();
        return events.throw(error);
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}

function objectOf(event: EventEnvelope<object>): object {
  return event.data.object;
}
