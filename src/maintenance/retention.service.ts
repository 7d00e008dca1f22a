import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import { JobQueue } from '../jobs/job-queue';

const RETENTION_QUEUE = 'retention';
/** Daily, at a quiet hour; pg-boss runs each slot once, whichever instance picks it up. */
const RETENTION_CRON = '17 3 * * *';
const STORES_PER_BATCH = 100;
/** Finished webhook deliveries (and their attempts) stay listable this long. */
const DELIVERY_RETENTION_DAYS = 30;

export interface RetentionReport {
  stores: number;
  events: number;
  idempotencyKeys: number;
  webhookDeliveries: number;
  /** Expired OAuth codes and tokens, and expired staff sessions. */
  expiredCredentials: number;
}

/**
 * Deletes what the platform promises to keep only for a while: events after EVENT_RETENTION_DAYS
 * (at least the 30 days of CONTRACT.md), idempotency keys after their 24 hours, and finished
 * webhook deliveries and pushed sync batches after 30 days, and OAuth codes, tokens and staff
 * sessions once expired. One store per transaction, so a store with a long history
 * never holds locks on the others.
 */
@Injectable()
export class RetentionService {
  constructor(
    readonly connection: TransactionalConnection,
    private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async schedule(logger: Logger): Promise<void> {
    const boss = this.jobs.boss;
    await boss.createQueue(RETENTION_QUEUE, { name: RETENTION_QUEUE, retryLimit: 2 });
    await boss.schedule(RETENTION_QUEUE, RETENTION_CRON, {}, { tz: 'UTC' });
    await boss.work(RETENTION_QUEUE, async () => {
      const report = await this.runOnce();
      logger.info({ ...report }, 'retention pass done');
    });
  }

  async runOnce(): Promise<RetentionReport> {
    const report: RetentionReport = {
      stores: 0,
      events: 0,
      idempotencyKeys: 0,
      webhookDeliveries: 0,
      expiredCredentials: 0,
    };
    let after = '';
    for (;;) {
      const stores: { id: string }[] = await this.dataSource.query(
        'SELECT id FROM platform.stores WHERE id > $1 ORDER BY id LIMIT $2',
        [after, STORES_PER_BATCH],
      );
      if (stores.length === 0) break;
      for (const { id } of stores) {
        const purged = await this.purgeStore(RequestContext.system(id, 'retention'));
        report.stores += 1;
        report.events += purged.events;
        report.idempotencyKeys += purged.idempotencyKeys;
      }
      after = stores[stores.length - 1].id;
    }
    const [, deliveries] = await this.dataSource.query(
      `DELETE FROM platform.webhook_deliveries
        WHERE status <> 'pending' AND updated_at < now() - make_interval(days => $1)`,
      [DELIVERY_RETENTION_DAYS],
    );
    report.webhookDeliveries = deliveries;
    report.expiredCredentials = await this.purgeExpiredCredentials();
    return report;
  }

  /**
   * Codes and tokens past their expiry serve no one. A day's grace keeps a rotated refresh
   * token's row while its reuse could still be reported as such rather than as unknown.
   */
  private async purgeExpiredCredentials(): Promise<number> {
    let purged = 0;
    for (const statement of [
      "DELETE FROM platform.oauth_codes WHERE expires_at < now() - interval '1 day'",
      "DELETE FROM platform.oauth_tokens WHERE expires_at < now() - interval '1 day'",
      'DELETE FROM platform.staff_sessions WHERE expires_at < now()',
    ]) {
      const [, count] = await this.dataSource.query(statement);
      purged += Number(count);
    }
    return purged;
  }

  // Bulk deletes may run far longer than any request's statement may.
  @Transactional({ statementTimeoutMs: 10 * 60_000 })
  async purgeStore(ctx: RequestContext): Promise<{ events: number; idempotencyKeys: number }> {
    const manager = this.connection.manager(ctx);
    const [, events] = await manager.query(
      'DELETE FROM events WHERE created_at < now() - make_interval(days => $1)',
      [this.config.eventRetentionDays],
    );
    const [, idempotencyKeys] = await manager.query(
      "DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'",
    );
    // A pushed batch is replayable for 30 days: far longer than any agent retries one.
    await manager.query("DELETE FROM sync_batches WHERE created_at < now() - interval '30 days'");
    return { events, idempotencyKeys };
  }
}
