import { createServer, Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';

/** What the agent has done, for Prometheus; its own registry, served by `--metrics-port`. */
export class AgentMetrics {
  readonly registry = new Registry();

  readonly pushed = new Counter({
    name: 'sync_agent_changes_pushed_total',
    help: 'Local changes pushed to the platform, by resource and result status',
    labelNames: ['resource', 'status'],
    registers: [this.registry],
  });

  readonly pulled = new Counter({
    name: 'sync_agent_changes_pulled_total',
    help: 'Platform changes applied locally, by resource and outcome',
    labelNames: ['resource', 'outcome'],
    registers: [this.registry],
  });

  readonly conflicts = new Counter({
    name: 'sync_agent_conflicts_total',
    help: 'Pushed changes the platform reported as concurrent edits, by resource',
    labelNames: ['resource'],
    registers: [this.registry],
  });

  readonly failures = new Counter({
    name: 'sync_agent_failures_total',
    help: 'Changes that could not be applied and were set aside in platform.sync_agent_failures',
    labelNames: ['direction'],
    registers: [this.registry],
  });

  readonly retries = new Counter({
    name: 'sync_agent_http_retries_total',
    help: 'Platform calls retried, by reason (rate_limited, server_error, network)',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  readonly lag = new Gauge({
    name: 'sync_agent_lag_seconds',
    help: 'Age of the newest change handled by the last round (0 when there was nothing to do)',
    labelNames: ['direction'],
    registers: [this.registry],
  });

  readonly lastSuccess = new Gauge({
    name: 'sync_agent_last_success_timestamp_seconds',
    help: 'When each direction last completed a round without error',
    labelNames: ['direction'],
    registers: [this.registry],
  });

  readonly subscribed = new Gauge({
    name: 'sync_agent_realtime_connected',
    help: '1 while the real-time subscription to platform events is open',
    registers: [this.registry],
  });

  /** Serves GET /metrics on the port (127.0.0.1 unless `host` says otherwise). */
  async serve(port: number, host = '127.0.0.1'): Promise<Server> {
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      this.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        () => response.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    return server;
  }
}
