import { Inject, Injectable } from '@nestjs/common';
import { Client } from 'pg';
import { RateLimitedLog } from '../observability/rate-limited-log';
import pino, { Logger } from 'pino';
import { DataSource, EntityManager } from 'typeorm';
import { SecretBox } from '../common/crypto/secret-box';
import { RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Metrics } from '../observability/metrics';
import { isForeignKeyViolation } from '../database/postgres-errors';
import { nextRetryDelayMs } from './retry-schedule';
import { postWebhook, WebhookResult } from './webhook-http';
import { DELIVERIES_CHANNEL, WebhookOutbox } from './webhook-outbox';
import { QueuedDelivery, WebhookQueue } from './webhook-queue';
import { webhookHeaders } from './webhook-signature';
import { WebhookSubscriptionsService } from './webhook-subscriptions.service';

/**
 * Jobs this process holds at once: attempts being sent plus attempts waiting for their endpoint.
 * Fetching stops there, so a backlog never piles up in one process's memory.
 */
const MAX_HELD = 256;
/**
 * What one subscription may hold in this process: attempts sent at once, and jobs waiting for
 * one of those. A responsive endpoint gets room for throughput; one with an attempt running for
 * over SLOW_ATTEMPT_MS (hanging, or just slow) is held to a small share, so it never delays the
 * others. Jobs beyond its share go back to the queue for a few seconds, in one transaction per
 * batch. Even at the slow share, the waiting jobs start within pg-boss's 60 s expiry (16 sends of
 * at most 10 s each).
 */
const ENDPOINT_SHARE = {
  responsive: { sending: 64, waiting: 128 },
  slow: { sending: 16, waiting: 16 },
} as const;
const SLOW_ATTEMPT_MS = 1_000;
const ENDPOINT_BUSY_DELAY_MS = 2_000;
/** New work of other instances is found by polling; this instance's commits wake it at once. */
const POLL_INTERVAL_MS = 250;
/** How often, and after how long overdue, pending deliveries without a live job are re-queued. */
const SWEEP_INTERVAL_MS = 15_000;
/** A subscription failing for this long is disabled. */
const FAILING_LIMIT_MS = 5 * 86_400_000;

interface ClaimedDelivery {
  id: string;
  store_id: string;
  subscription_id: string;
  event_id: string;
  body: string;
  attempt_count: number;
  url: string;
  subscription_status: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_valid: boolean;
  subscription_failing: boolean;
  lag_seconds: number;
}

/**
 * Claims the delivery for one attempt: only a pending one that is due and not leased by another
 * attempt in flight (any instance). The lease outlives the 10 s timeout; if this process dies
 * mid-attempt, the job expires, is fetched again, and the expired lease lets it through.
 */
const CLAIM = `UPDATE platform.webhook_deliveries d
     SET lease_until = now() + interval '30 seconds', attempt_count = d.attempt_count + 1,
         updated_at = now()
    FROM platform.webhook_subscriptions s
   WHERE d.id = $1 AND s.id = d.subscription_id AND d.status = 'pending'
     AND d.next_attempt_at <= now() AND (d.lease_until IS NULL OR d.lease_until < now())
  RETURNING d.id, d.store_id, d.subscription_id, d.event_id, d.body, d.attempt_count, s.url,
            s.status AS subscription_status, s.secret_sealed, s.previous_secret_sealed,
            coalesce(s.previous_secret_expires_at > now(), false) AS previous_secret_valid,
            s.failing_since IS NOT NULL AS subscription_failing,
            extract(epoch FROM now() - d.next_attempt_at)::float8 AS lag_seconds`;

/**
 * The safety net under the queue: a pending delivery long overdue and not leased has lost its job
 * (a process died holding it, and pg-boss has not expired it yet). It is queued again and marked
 * due now, so the next sweep leaves it alone; if its old job comes back too, the lease and the
 * due time keep the two from sending twice. Several instances sweep without overlap (SKIP LOCKED).
 */
const SWEEP = `UPDATE platform.webhook_deliveries d SET next_attempt_at = now(), updated_at = now()
   WHERE d.id IN (SELECT id FROM platform.webhook_deliveries
                   WHERE status = 'pending' AND next_attempt_at < now() - interval '30 seconds'
                     AND (lease_until IS NULL OR lease_until < now())
                   ORDER BY next_attempt_at LIMIT 500
                   FOR UPDATE SKIP LOCKED)
  RETURNING d.id, d.subscription_id`;

const RECORD_ATTEMPT = `INSERT INTO platform.webhook_attempts
    (delivery_id, attempted_at, duration_ms, status_code, error, response_body)
  VALUES ($1, $2, $3, $4, $5, $6)`;

/**
 * The common case in one statement, so one round trip and no explicit transaction: the attempt,
 * and the delivery succeeded. (A subscription in a failure streak takes the locking path below.)
 */
const RECORD_SUCCESS = `WITH attempt AS (${RECORD_ATTEMPT})
  UPDATE platform.webhook_deliveries SET status = 'succeeded', lease_until = NULL,
         updated_at = now() WHERE id = $1`;

/**
 * Every transaction that writes both takes the subscription row before its deliveries, as
 * deleting a subscription does (its row, then the cascade): the same order everywhere, so the
 * dispatcher and a DELETE never deadlock. No row: the subscription was deleted meanwhile.
 */
const LOCK_SUBSCRIPTION_FOR_OUTCOME = `UPDATE platform.webhook_subscriptions
     SET failing_since = CASE WHEN $2 THEN NULL ELSE coalesce(failing_since, now()) END
   WHERE id = $1 RETURNING failing_since`;

function succeeded(result: WebhookResult): boolean {
  return result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
}

function attemptValues(delivery: ClaimedDelivery, attemptedAt: Date, result: WebhookResult) {
  return [
    delivery.id,
    attemptedAt,
    Math.round(result.durationMs),
    result.statusCode,
    result.error,
    result.responseBody,
  ];
}

interface Lane {
  readonly sending: Set<{ readonly at: number }>;
  readonly waiting: QueuedDelivery[];
}

/** The slow share as soon as one of the lane's attempts has run for SLOW_ATTEMPT_MS. */
function shareOf(lane: Lane): (typeof ENDPOINT_SHARE)[keyof typeof ENDPOINT_SHARE] {
  const now = performance.now();
  for (const attempt of lane.sending)
    if (now - attempt.at > SLOW_ATTEMPT_MS) return ENDPOINT_SHARE.slow;
  return ENDPOINT_SHARE.responsive;
}

/**
 * Sends queued delivery attempts. It takes jobs from pg-boss with `fetch` and completes each when
 * its attempt is recorded, rather than through `work()`, whose handler holds a whole batch until
 * its slowest job returns: one endpoint that hangs for 10 s would hold up every delivery fetched
 * with it. Here each attempt runs on its own, up to MAX_HELD, within each subscription's share
 * (ENDPOINT_SHARE).
 */
@Injectable()
export class WebhookDispatcher {
  /** Replaced by the application's logger in start(). */
  private logger: Logger = pino({ enabled: false });
  /** Failures that repeat per attempt or per poll while the database is away, at a bounded rate. */
  private failures = new RateLimitedLog(this.logger);
  private readonly secrets: SecretBox;
  /** Per subscription: attempts being sent (with their start times), and jobs waiting. */
  private readonly lanes = new Map<string, Lane>();
  private readonly completed: string[] = [];
  private bounced: QueuedDelivery[] = [];
  /** Jobs fetched and not yet completed, failed or put back. */
  private held = 0;
  private sending = 0;
  private running = false;
  private pumping = false;
  private pumpAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private listener: Client | undefined;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly queue: WebhookQueue,
    private readonly dataSource: DataSource,
    private readonly subscriptions: WebhookSubscriptionsService,
    outbox: WebhookOutbox,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.secrets = new SecretBox(config.encryptionKey);
    outbox.onCommitted(() => this.wake());
  }

  /**
   * Starts sending. With `databaseUrl`, it also LISTENs for the deliveries other processes commit
   * (a `npm run worker` wakes on the API's commits at once); without, or behind a transaction
   * pooler where LISTEN cannot work, polling every POLL_INTERVAL_MS finds them.
   */
  start(logger: Logger, databaseUrl?: string): void {
    if (this.running) return;
    this.logger = logger.child({ component: 'webhook-dispatcher' });
    this.failures = new RateLimitedLog(this.logger);
    this.running = true;
    if (databaseUrl) void this.listen(databaseUrl);
    this.timer = setInterval(() => {
      this.trimSlowLanes();
      this.wake();
    }, POLL_INTERVAL_MS);
    this.timer.unref();
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    void this.sweep();
    this.wake();
  }

  /** Stops fetching and waits for the attempts in flight (at most the 10 s timeout). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.timer);
    clearInterval(this.sweepTimer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    // Jobs still waiting for their endpoint go back to the queue for another process.
    for (const lane of this.lanes.values()) this.bounce(lane.waiting.splice(0), 0);
    while (this.held > 0 || this.pumping)
      await new Promise<void>((resolve) => this.idle.add(resolve));
    await this.flushCompleted();
  }

  wake(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        while (this.running && this.held < MAX_HELD) {
          const jobs = await this.queue.fetch(MAX_HELD - this.held);
          if (jobs.length === 0) break;
          this.held += jobs.length;
          for (const job of jobs) this.admit(job);
        }
      } while (this.pumpAgain && this.running);
    } catch (error) {
      this.failures.error('webhook_fetch', { err: error }, 'fetching webhook jobs failed');
    } finally {
      this.pumping = false;
      this.settle();
    }
  }

  /** Sends now, waits for the endpoint, or (endpoint backlog full) goes back to the queue. */
  private admit(job: QueuedDelivery): void {
    const { subscriptionId } = job.data;
    let lane = this.lanes.get(subscriptionId);
    if (!lane) {
      lane = { sending: new Set(), waiting: [] };
      this.lanes.set(subscriptionId, lane);
    }
    const share = shareOf(lane);
    if (lane.sending.size < share.sending) void this.send(job, lane);
    else if (lane.waiting.length < share.waiting) lane.waiting.push(job);
    else this.bounce([job], ENDPOINT_BUSY_DELAY_MS);
  }

  private async send(job: QueuedDelivery, lane: Lane): Promise<void> {
    const started = { at: performance.now() };
    lane.sending.add(started);
    this.sending += 1;
    this.metrics.webhookInFlight.set(this.sending);
    try {
      await this.attempt(job.data.deliveryId);
      this.complete(job.id);
    } catch (error) {
      // The job is retried by pg-boss; the delivery's lease keeps a second attempt from overlapping.
      this.failures.error(
        'webhook_attempt',
        { err: error, deliveryId: job.data.deliveryId },
        'webhook attempt failed',
      );
      await this.queue.fail(job.id, error as Error).catch(() => undefined);
    } finally {
      lane.sending.delete(started);
      this.sending -= 1;
      this.metrics.webhookInFlight.set(this.sending);
      this.release(1);
      const next =
        this.running && lane.sending.size < shareOf(lane).sending
          ? lane.waiting.shift()
          : undefined;
      if (next) void this.send(next, lane);
      else if (lane.sending.size === 0 && lane.waiting.length === 0)
        this.lanes.delete(job.data.subscriptionId);
    }
  }

  /**
   * An endpoint that turned slow keeps only its slow share of waiting jobs; the rest go back to
   * the queue, where other processes (or this one, later) take them before pg-boss expires them.
   */
  private trimSlowLanes(): void {
    for (const lane of this.lanes.values()) {
      const { waiting } = shareOf(lane);
      if (lane.waiting.length > waiting)
        this.bounce(lane.waiting.splice(waiting), ENDPOINT_BUSY_DELAY_MS);
    }
  }

  /** Puts jobs back in the queue, `delayMs` later, in one transaction per batch. */
  private bounce(jobs: QueuedDelivery[], delayMs: number): void {
    if (jobs.length === 0) return;
    const first = this.bounced.length === 0;
    this.bounced.push(...jobs);
    if (first) setImmediate(() => void this.flushBounced(delayMs));
  }

  private async flushBounced(delayMs: number): Promise<void> {
    const jobs = this.bounced.splice(0);
    const startAfter = new Date(Date.now() + delayMs);
    try {
      await this.dataSource.transaction((manager) =>
        this.queue.enqueue(
          manager,
          jobs.map((job) => ({ data: job.data, startAfter })),
        ),
      );
      for (const job of jobs) this.complete(job.id);
    } catch (error) {
      // Left active, the jobs expire and come back by themselves.
      this.failures.warn('webhook_requeue', { err: error }, 'putting webhook jobs back failed');
    } finally {
      this.release(jobs.length);
    }
  }

  private release(jobs: number): void {
    this.held -= jobs;
    this.settle();
    this.wake();
  }

  /** One attempt of one delivery, recorded with its outcome in one transaction. */
  private async attempt(deliveryId: string): Promise<void> {
    const [claimed]: [ClaimedDelivery[], number] = await this.dataSource.query(CLAIM, [deliveryId]);
    const delivery = claimed[0];
    if (!delivery) return; // delivered, rescheduled, or in flight elsewhere
    if (delivery.subscription_status !== 'active') {
      await this.dataSource.query(
        `UPDATE platform.webhook_deliveries SET status = 'failed', lease_until = NULL,
                attempt_count = attempt_count - 1, updated_at = now() WHERE id = $1`,
        [deliveryId],
      );
      return;
    }
    this.metrics.webhookQueueLag.observe(Math.max(0, delivery.lag_seconds));
    const secrets = [this.secrets.open(delivery.secret_sealed)];
    if (delivery.previous_secret_sealed && delivery.previous_secret_valid)
      secrets.push(this.secrets.open(delivery.previous_secret_sealed));
    const attemptedAt = new Date();
    const message = {
      id: delivery.event_id,
      timestamp: Math.floor(attemptedAt.getTime() / 1000),
      body: delivery.body,
    };
    const result = await postWebhook({
      url: delivery.url,
      headers: webhookHeaders(message, secrets),
      body: delivery.body,
      allowPrivateNetworks: this.config.webhookAllowPrivateNetworks,
    });
    this.metrics.webhookAttemptDuration.observe(result.durationMs / 1000);
    let disableReason: string | null;
    try {
      disableReason = await this.record(delivery, attemptedAt, result);
    } catch (error) {
      // The subscription, and its deliveries with it, was deleted during the attempt.
      if (isForeignKeyViolation(error)) return;
      throw error;
    }
    if (disableReason) {
      const ctx = RequestContext.system(delivery.store_id, `webhook-${deliveryId}`);
      await this.subscriptions.disable(ctx, delivery.subscription_id, disableReason);
    }
  }

  /**
   * Records a failed attempt and what follows from it, in one transaction: the next attempt
   * queued, or the delivery failed. Returns why the subscription must be disabled, if it must.
   */
  /** Records the attempt and its consequences; returns why to disable the subscription, if so. */
  private async record(
    delivery: ClaimedDelivery,
    attemptedAt: Date,
    result: WebhookResult,
  ): Promise<string | null> {
    const values = attemptValues(delivery, attemptedAt, result);
    if (succeeded(result) && !delivery.subscription_failing) {
      await this.dataSource.query(RECORD_SUCCESS, values);
      this.metrics.webhookAttempts.inc({ outcome: 'succeeded' });
      return null;
    }
    return this.dataSource.transaction(async (manager) => {
      const [[subscription]]: [{ failing_since: Date | null }[], number] = await manager.query(
        LOCK_SUBSCRIPTION_FOR_OUTCOME,
        [delivery.subscription_id, succeeded(result)],
      );
      if (!subscription) return null;
      await manager.query(RECORD_ATTEMPT, values);
      if (succeeded(result)) {
        await manager.query(
          `UPDATE platform.webhook_deliveries SET status = 'succeeded', lease_until = NULL,
                  updated_at = now() WHERE id = $1`,
          [delivery.id],
        );
        this.metrics.webhookAttempts.inc({ outcome: 'succeeded' });
        return null;
      }
      return this.scheduleNext(manager, delivery, result, subscription.failing_since!);
    });
  }

  /** After a failed attempt: the next one queued, or the delivery failed. */
  private async scheduleNext(
    manager: EntityManager,
    delivery: ClaimedDelivery,
    result: WebhookResult,
    failingSince: Date,
  ): Promise<string | null> {
    const gone = result.statusCode === 410;
    const delay = gone
      ? null
      : nextRetryDelayMs(this.config.webhookRetryScheduleSeconds, delivery.attempt_count, result);
    this.metrics.webhookAttempts.inc({
      outcome: gone ? 'gone' : delay === null ? 'failed' : 'retrying',
    });
    if (delay === null) {
      await manager.query(
        `UPDATE platform.webhook_deliveries SET status = 'failed', lease_until = NULL,
                updated_at = now() WHERE id = $1`,
        [delivery.id],
      );
    } else {
      const nextAttemptAt = new Date(Date.now() + delay);
      await manager.query(
        `UPDATE platform.webhook_deliveries SET next_attempt_at = $2, lease_until = NULL,
                updated_at = now() WHERE id = $1`,
        [delivery.id, nextAttemptAt],
      );
      await this.queue.enqueue(manager, [
        {
          data: { deliveryId: delivery.id, subscriptionId: delivery.subscription_id },
          startAfter: nextAttemptAt,
        },
      ]);
    }
    if (gone) return 'gone';
    const failingFor = Date.now() - new Date(failingSince).getTime();
    return failingFor >= FAILING_LIMIT_MS ? 'failing_for_5_days' : null;
  }

  private async listen(databaseUrl: string): Promise<void> {
    const client = new Client({
      connectionString: databaseUrl,
      application_name: 'dukkadee-webhook-listener',
    });
    client.on('notification', () => this.wake());
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'webhook listener lost; polling until it reconnects');
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
      setTimeout(
        () => this.running && !this.listener && void this.listen(databaseUrl),
        1_000,
      ).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${DELIVERIES_CHANNEL}`);
      if (this.running) this.listener = client;
      else await client.end();
    } catch (error) {
      client.emit('error', error);
    }
  }

  private async sweep(): Promise<void> {
    try {
      const requeued = await this.dataSource.transaction(async (manager) => {
        const [rows]: [{ id: string; subscription_id: string }[], number] =
          await manager.query(SWEEP);
        await this.queue.enqueue(
          manager,
          rows.map((row) => ({
            data: { deliveryId: row.id, subscriptionId: row.subscription_id },
          })),
        );
        return rows.length;
      });
      if (requeued > 0) {
        this.logger.warn({ requeued }, 'overdue webhook deliveries queued again');
        this.wake();
      }
    } catch (error) {
      this.failures.error('webhook_sweep', { err: error }, 'sweeping webhook deliveries failed');
    }
  }

  /** Completions are sent in batches: one statement for every attempt finished meanwhile. */
  private complete(jobId: string): void {
    this.completed.push(jobId);
    if (this.completed.length === 1) setImmediate(() => void this.flushCompleted());
  }

  private async flushCompleted(): Promise<void> {
    const ids = this.completed.splice(0);
    await this.queue.complete(ids).catch((error: unknown) => {
      // Left active, the jobs expire and come back; their deliveries are no longer due.
      this.failures.warn('webhook_complete', { err: error }, 'completing webhook jobs failed');
    });
  }

  private settle(): void {
    if (this.held === 0 && !this.pumping) {
      for (const resolve of this.idle) resolve();
      this.idle.clear();
    }
  }
}
