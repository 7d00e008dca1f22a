import { Injectable } from '@nestjs/common';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { RateLimitedLog } from '../observability/rate-limited-log';

/**
 * The platform's durable job queue: pg-boss in the `pgboss` schema of the platform's database.
 * Started once the database is migrated (jobs can only be queued after that), by every process:
 * writers queue jobs in their own transactions, workers fetch them.
 */
@Injectable()
export class JobQueue {
  private instance: PgBoss | undefined;

  /**
   * pg-boss reports every failed poll and every error of its pool (whose idle-client errors carry
   * the `pg` client itself, cancel key included): they go to the log through the error
   * serializer, at most one line per interval while the database is away.
   */
  async start(databaseUrl: string, logger: Logger): Promise<void> {
    if (this.instance) return;
    const boss = new PgBoss({
      connectionString: databaseUrl,
      schema: 'pgboss',
      max: 4,
      application_name: 'dukkadee-queue',
    });
    const log = new RateLimitedLog(logger);
    boss.on('error', (error) => log.error('job-queue', { err: error }, 'job queue error'));
    await boss.start();
    this.instance = boss;
  }

  async stop(): Promise<void> {
    const boss = this.instance;
    this.instance = undefined;
    await boss?.stop({ graceful: false, wait: true, close: true });
  }

  get boss(): PgBoss {
    if (!this.instance) throw new Error('The job queue is not started');
    return this.instance;
  }

  /** Inserts jobs inside the transaction of `manager`: they exist exactly if it commits. */
  async insert(manager: EntityManager, jobs: PgBoss.JobInsert[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.boss.insert(jobs, {
      db: {
        // TypeORM answers an INSERT … RETURNING with the rows themselves.
        executeSql: async (text: string, values: unknown[]) => {
          const rows: unknown = await manager.query(text, values);
          return { rows: Array.isArray(rows) ? rows : [] };
        },
      },
    });
  }
}
