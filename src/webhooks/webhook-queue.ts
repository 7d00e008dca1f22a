import { Injectable } from '@nestjs/common';
import PgBoss from 'pg-boss';
import type { EntityManager } from 'typeorm';

export const DELIVERY_QUEUE = 'webhook-delivery';

export interface DeliveryJob {
  readonly deliveryId: string;
  /** Lets the dispatcher apply the per-endpoint limit before it touches the database. */
  readonly subscriptionId: string;
}

export interface QueuedDelivery {
  readonly id: string;
  readonly data: DeliveryJob;
}

/**
 * The durable queue of delivery attempts: pg-boss over the platform's PostgreSQL. Jobs are inserted
 * in the caller's transaction (the outbox), so an attempt is queued exactly when its change
 * commits. A job that an instance fetched and never completed (the process died) expires and is
 * fetched again; the dispatcher's lease on the delivery row keeps that from sending twice.
 */
@Injectable()
export class WebhookQueue {
  private boss: PgBoss | undefined;

  async start(databaseUrl: string, onError: (error: Error) => void): Promise<void> {
    if (this.boss) return;
    const boss = new PgBoss({
      connectionString: databaseUrl,
      schema: 'pgboss',
      max: 4,
      application_name: 'dukkadee-queue',
    });
    boss.on('error', onError);
    await boss.start();
    // Attempts are retried on the delivery's own schedule (a new job each); pg-boss's retries only
    // recover jobs of an instance that died mid-attempt, after they expire.
    await boss.createQueue(DELIVERY_QUEUE, {
      name: DELIVERY_QUEUE,
      retryLimit: 100,
      retryDelay: 1,
      expireInSeconds: 60,
      retentionMinutes: 60,
    });
    this.boss = boss;
  }

  async stop(): Promise<void> {
    const boss = this.boss;
    this.boss = undefined;
    await boss?.stop({ graceful: false, wait: true, close: true });
  }

  get started(): boolean {
    return this.boss !== undefined;
  }

  /** Queues attempts inside the transaction of `manager`; nothing is visible before it commits. */
  async enqueue(
    manager: EntityManager,
    jobs: readonly { data: DeliveryJob; startAfter?: Date }[],
  ): Promise<void> {
    if (jobs.length === 0) return;
    await this.require().insert(
      jobs.map((job) => ({ name: DELIVERY_QUEUE, data: job.data, startAfter: job.startAfter })),
      {
        db: {
          // TypeORM answers an INSERT … RETURNING with the rows themselves.
          executeSql: async (text: string, values: unknown[]) => {
            const rows: unknown = await manager.query(text, values);
            return { rows: Array.isArray(rows) ? rows : [] };
          },
        },
      },
    );
  }

  async fetch(batchSize: number): Promise<QueuedDelivery[]> {
    const jobs = await this.require().fetch<DeliveryJob>(DELIVERY_QUEUE, { batchSize });
    return (jobs ?? []).map((job) => ({ id: job.id, data: job.data }));
  }

  async complete(jobIds: string[]): Promise<void> {
    if (jobIds.length > 0) await this.require().complete(DELIVERY_QUEUE, jobIds);
  }

  async fail(jobId: string, error: Error): Promise<void> {
    await this.require().fail(DELIVERY_QUEUE, jobId, { message: error.message });
  }

  private require(): PgBoss {
    if (!this.boss) throw new Error('The webhook queue is not started');
    return this.boss;
  }
}
