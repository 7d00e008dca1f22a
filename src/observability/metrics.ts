import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

interface PoolFigures {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** Prometheus metrics of one application instance (its own registry, so tests can run several). */
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly webhookAttempts = new Counter({
    name: 'webhook_attempts_total',
    help: 'Webhook delivery attempts by outcome (succeeded, retrying, failed, gone)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly webhookAttemptDuration = new Histogram({
    name: 'webhook_attempt_duration_seconds',
    help: "Time from connecting to the end of the receiver's answer, per attempt",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly webhookQueueLag = new Histogram({
    name: 'webhook_queue_lag_seconds',
    help: 'Time from when an attempt was due to when it started',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120],
    registers: [this.registry],
  });

  readonly webhookInFlight = new Gauge({
    name: 'webhook_attempts_in_flight',
    help: 'Webhook attempts this process is sending right now',
    registers: [this.registry],
  });

  readonly rateLimitFallbacks = new Counter({
    name: 'rate_limit_redis_fallbacks_total',
    help: "Rate-limit bucket takes served from this instance's memory because Redis did not answer",
    registers: [this.registry],
  });

  readonly databaseRefusals = new Counter({
    name: 'db_refusals_total',
    help: 'Transactions answered 503 service_busy, by reason: store_queue_full, store_queue_timeout, pool_timeout, statement_timeout, lock_timeout',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  constructor(dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry });
    const pool = () =>
      dataSource.isInitialized
        ? (dataSource.driver as unknown as { master?: PoolFigures }).master
        : undefined;
    const poolGauge = (name: string, help: string, read: (figures: PoolFigures) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const figures = pool();
          this.set(figures ? read(figures) : 0);
        },
      });
    poolGauge(
      'db_pool_connections_total',
      'Connections open in the database pool',
      (p) => p.totalCount,
    );
    poolGauge(
      'db_pool_connections_idle',
      'Idle connections in the database pool',
      (p) => p.idleCount,
    );
    poolGauge(
      'db_pool_waiting_requests',
      'Queries waiting for a pooled connection',
      (p) => p.waitingCount,
    );
  }
}
