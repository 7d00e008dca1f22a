import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { JobQueue } from '../jobs/job-queue';

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
 * The durable queue of delivery attempts, on the platform's job queue (pg-boss). Jobs are inserted
 * in the caller's transaction (the outbox), so an attempt is queued exactly when its change
 * commits. A job that an instance fetched and never completed (the process died) expires and is
 * fetched again; the dispatcher's lease on the delivery row keeps that from sending twice.
 */
@Injectable()
export class WebhookQueue {
  constructor(private readonly jobs: JobQueue) {}

  /** Creates the queue (idempotent); needs the job queue started. */
  async prepare(): Promise<void> {
    // Attempts are retried on the delivery's own schedule (a new job each); pg-boss's retries only
    // recover jobs of an instance that died mid-attempt, after they expire.
    await this.jobs.boss.createQueue(DELIVERY_QUEUE, {
      name: DELIVERY_QUEUE,
      retryLimit: 100,
      retryDelay: 1,
      expireInSeconds: 60,
      retentionMinutes: 60,
    });
  }

  /** Queues attempts inside the transaction of `manager`; nothing is visible before it commits. */
  async enqueue(
    manager: EntityManager,
    jobs: readonly { data: DeliveryJob; startAfter?: Date }[],
  ): Promise<void> {
    await this.jobs.insert(
      manager,
      jobs.map((job) => ({ name: DELIVERY_QUEUE, data: job.data, startAfter: job.startAfter })),
    );
  }

  async fetch(batchSize: number): Promise<QueuedDelivery[]> {
    const jobs = await this.jobs.boss.fetch<DeliveryJob>(DELIVERY_QUEUE, { batchSize });
    return (jobs ?? []).map((job) => ({ id: job.id, data: job.data }));
  }

  async complete(jobIds: string[]): Promise<void> {
    if (jobIds.length > 0) await this.jobs.boss.complete(DELIVERY_QUEUE, jobIds);
  }

  async fail(jobId: string, error: Error): Promise<void> {
    await this.jobs.boss.fail(DELIVERY_QUEUE, jobId, { message: error.message });
  }
}
