import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { newId } from '../common/ids';
import type { RequestContext } from '../common/request-context';
import { TransactionalConnection } from '../database/transactional-connection';
import type { EventEnvelope } from '../events/event-envelope';
import { EventLog } from '../events/event-log.service';
import { DeliveryJob, WebhookQueue } from './webhook-queue';
import { topicsMatch } from './webhook-topics';

export interface NewDelivery {
  readonly storeId: string;
  readonly subscriptionId: string;
  readonly event: EventEnvelope<object> | { id: string; type: string };
  /** The exact bytes every attempt sends and signs. */
  readonly body: string;
}

/** Channel on which committed deliveries wake the dispatchers of every process. */
export const DELIVERIES_CHANNEL = 'dukkadee_webhook_deliveries';

/**
 * Writes the deliveries and, in the same statement, a NOTIFY that PostgreSQL sends only when the
 * transaction commits (and once per transaction, however many deliveries it holds).
 */
const INSERT_DELIVERIES = `WITH inserted AS (
    INSERT INTO platform.webhook_deliveries
      (id, store_id, subscription_id, event_id, event_type, body, status)
    SELECT id, store_id, subscription_id, event_id, event_type, body, 'pending'
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
        AS d (id, store_id, subscription_id, event_id, event_type, body)
    RETURNING 1)
  SELECT pg_notify('${DELIVERIES_CHANNEL}', ''), count(*) FROM inserted`;

/**
 * The transactional outbox: the deliveries of an event, and their queue jobs, are written in the
 * transaction that records the event, so a change that commits is always delivered and one that
 * rolls back never is. Wakes this instance's dispatcher after the commit, so the first attempt
 * does not wait for the next poll.
 */
@Injectable()
export class WebhookOutbox implements OnModuleInit {
  private readonly committedListeners: (() => void)[] = [];

  constructor(
    private readonly events: EventLog,
    private readonly connection: TransactionalConnection,
    private readonly queue: WebhookQueue,
  ) {}

  onModuleInit(): void {
    this.events.addFanOut((ctx, manager, envelopes) => this.fanOut(ctx, manager, envelopes));
  }

  /** The dispatcher of this instance listens here. */
  onCommitted(listener: () => void): void {
    this.committedListeners.push(listener);
  }

  private async fanOut(
    ctx: RequestContext,
    manager: EntityManager,
    envelopes: readonly EventEnvelope<object>[],
  ): Promise<void> {
    const storeId = ctx.requireStore();
    const subscriptions: { id: string; topics: string[] }[] = await manager.query(
      `SELECT id, topics FROM platform.webhook_subscriptions WHERE store_id = $1 AND status = 'active'`,
      [storeId],
    );
    if (subscriptions.length === 0) return;
    const deliveries: NewDelivery[] = [];
    for (const event of envelopes) {
      const body = JSON.stringify(event);
      for (const subscription of subscriptions) {
        if (topicsMatch(subscription.topics, event.type))
          deliveries.push({ storeId, subscriptionId: subscription.id, event, body });
      }
    }
    await this.write(ctx, manager, deliveries);
  }

  /** Writes deliveries and queues their first attempts in the transaction of `manager`. */
  async write(
    ctx: RequestContext,
    manager: EntityManager,
    deliveries: readonly NewDelivery[],
  ): Promise<string[]> {
    if (deliveries.length === 0) return [];
    const ids = deliveries.map(() => newId('whdel'));
    await manager.query(INSERT_DELIVERIES, [
      ids,
      deliveries.map((delivery) => delivery.storeId),
      deliveries.map((delivery) => delivery.subscriptionId),
      deliveries.map((delivery) => delivery.event.id),
      deliveries.map((delivery) => delivery.event.type),
      deliveries.map((delivery) => delivery.body),
    ]);
    await this.queue.enqueue(
      manager,
      deliveries.map((delivery, index) => ({
        data: { deliveryId: ids[index], subscriptionId: delivery.subscriptionId },
      })),
    );
    this.connection.afterCommit(ctx, () => this.notifyCommitted());
    return ids;
  }

  /** Queues another attempt of an existing delivery (manual retry), in the caller's transaction. */
  async requeue(ctx: RequestContext, manager: EntityManager, job: DeliveryJob): Promise<void> {
    await this.queue.enqueue(manager, [{ data: job }]);
    this.connection.afterCommit(ctx, () => this.notifyCommitted());
  }

  private notifyCommitted(): void {
    for (const listener of this.committedListeners) listener();
  }
}
