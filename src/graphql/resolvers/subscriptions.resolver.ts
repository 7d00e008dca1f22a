import { Args, Resolver, Subscription } from '@nestjs/graphql';
import { Ctx } from '../../auth/ctx.decorator';
import { RequireScopes } from '../../auth/require-scopes.decorator';
import type { RequestContext } from '../../common/request-context';
import { CredentialWatch } from '../../auth/credential-watch';
import { EventBus } from '../../events/event-bus';
import { EventType, visibleEventTypes } from '../../events/event-catalog';
import type { EventEnvelope } from '../../events/event-envelope';
import { Product } from '../types/catalog.types';
import { InventoryLevel, Order } from '../types/commerce.types';
import { Event } from '../types/event.types';

/**
 * Live events over graphql-ws, from the event bus: only the credential's store, only the types
 * its read scopes reach, only what has committed, and only while the credential stays valid. Each field is an async iterator whose
 * `return()` (the client completes or disconnects) detaches it from the bus at once.
 */
@Resolver()
export class SubscriptionsResolver {
  constructor(
    private readonly bus: EventBus,
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
  ): AsyncIterableIterator<EventEnvelope<object>> {
    const visible = new Set<string>(visibleEventTypes(ctx.scopes));
    const wanted = types ? new Set(types.filter((type) => visible.has(type))) : visible;
    return this.stream(ctx, (event) => wanted.has(event.type));
  }

  @Subscription(() => Order, { resolve: objectOf })
  @RequireScopes('read_orders')
  orderCreated(@Ctx() ctx: RequestContext): AsyncIterableIterator<EventEnvelope<object>> {
    return this.ofType(ctx, 'order.created');
  }

  @Subscription(() => Order, {
    description: 'Every change of an order (also paid, fulfilled, cancelled)',
    resolve: objectOf,
  })
  @RequireScopes('read_orders')
  orderUpdated(@Ctx() ctx: RequestContext): AsyncIterableIterator<EventEnvelope<object>> {
    return this.ofType(ctx, 'order.updated');
  }

  @Subscription(() => Product, { resolve: objectOf })
  @RequireScopes('read_products')
  productUpdated(@Ctx() ctx: RequestContext): AsyncIterableIterator<EventEnvelope<object>> {
    return this.ofType(ctx, 'product.updated');
  }

  @Subscription(() => InventoryLevel, { resolve: objectOf })
  @RequireScopes('read_inventory')
  inventoryUpdated(@Ctx() ctx: RequestContext): AsyncIterableIterator<EventEnvelope<object>> {
    return this.ofType(ctx, 'inventory.updated');
  }

  private ofType(ctx: RequestContext, type: EventType) {
    return this.stream(ctx, (event) => event.type === type);
  }

  private stream(
    ctx: RequestContext,
    keep: (event: EventEnvelope<object>) => boolean,
  ): AsyncIterableIterator<EventEnvelope<object>> {
    const detach = new AbortController();
    const source = this.bus.events(ctx.requireStore(), detach.signal);
    // A revoked key (or suspended store) ends the subscription: the client sees it complete.
    const unwatch = this.credentials.watch(ctx, () => detach.abort());
    async function* filtered() {
      try {
        for await (const event of source) if (keep(event)) yield event;
      } finally {
        unwatch();
      }
    }
    const events = filtered();
    return {
      next: () => events.next(),
      // An async generator waiting for its next event would only see return() after that
      // event; aborting the bus listener ends the wait now.
      return: async () => {
        detach.abort();
        return events.return(undefined);
      },
      throw: (error: unknown) => {
        detach.abort();
        return events.throw(error);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

function objectOf(event: EventEnvelope<object>): object {
  return event.data.object;
}
