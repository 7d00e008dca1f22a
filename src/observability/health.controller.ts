import { Controller, Get, Header, HttpCode, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/require-scopes.decorator';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DomainError } from '../common/errors/domain-error';
import { DatabaseState } from '../database/database-state';
import { Metrics } from './metrics';

@Controller()
@Public()
export class HealthController {
  constructor(
    private readonly database: DatabaseState,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 200 while the process can answer at all. */
  @Get('health/live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  /** 200 once migrations are applied and the database answers now; 503 otherwise. */
  @Get('health/ready')
  async ready() {
    if (!(await this.database.isReady())) {
      throw new DomainError(
        'service_unavailable',
        'The database is not reachable or not migrated yet.',
        { headers: { 'Retry-After': '1' } },
      );
    }
    return { status: 'ok' };
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const token = this.config.metricsToken;
    if (token && request.headers.authorization !== `Bearer ${token}`) {
      throw new DomainError('unauthenticated', 'Send the metrics token as a bearer token.', {
        headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
      });
    }
    void reply
      .header('content-type', this.metrics.registry.contentType)
      .send(await this.metrics.registry.metrics());
  }
}
