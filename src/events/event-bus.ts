import { EventEmitter, on } from 'node:events';
import type { OnModuleDestroy } from '@nestjs/common';
import type { EventEnvelope } from './event-envelope';

/**
 * Committed events, to whoever listens in this process right now: GraphQL subscriptions, and
 * later the hosted UI's live updates and cache invalidation. The event log publishes a
 * transaction's events after it commits; a listener never sees an event that rolled back.
 * Across instances the Redis implementation relays them (REDIS_URL); it is a live feed, not a
 * log: what a disconnected listener missed is in `/v1/events`.
 */
export abstract class EventBus implements OnModuleDestroy {
  protected readonly local = new EventEmitter();

  constructor() {
    // One listener per open subscription of a store: no fixed bound makes sense here.
    this.local.setMaxListeners(0);
  }

  abstract publish(events: readonly EventEnvelope<object>[]): void;

  /** The store's events as they are published, until `signal` aborts. */
  async *events(storeId: string, signal: AbortSignal): AsyncGenerator<EventEnvelope<object>> {
    try {
      for await (const [event] of on(this.local, storeId, { signal }))
        yield event as EventEnvelope<object>;
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }

  protected deliverLocally(event: EventEnvelope<object>): void {
    this.local.emit(event.storeId, event);
  }

  async close(): Promise<void> {
    this.local.removeAllListeners();
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }
}

/** One process: events go straight to this process's listeners. */
export class InMemoryEventBus extends EventBus {
  publish(events: readonly EventEnvelope<object>[]): void {
    for (const event of events) this.deliverLocally(event);
  }
}
