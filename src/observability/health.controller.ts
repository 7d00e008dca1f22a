import { Controller, Get, HttpCode, Inject, Req, Res } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiOperation, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth/require-scopes.decorator';
import { CacheControl } from '../common/http/cache-control.decorator';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DomainError } from '../common/errors/domain-error';
import { DatabaseState } from '../database/database-state';
import { ReadReplicas } from '../database/read-replicas';
import { Metrics } from './metrics';

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

const STATUS_OK = {
  status: 200,
  description: 'OK',
  schema: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['ok'] } },
  },
};

const STATUS_READY = {
  ...STATUS_OK,
  schema: {
    ...STATUS_OK.schema,
    properties: {
      ...STATUS_OK.schema.properties,
      replicas: {
        type: 'array',
        items: {
          type: 'object',
          required: ['replica', 'state', 'lagSeconds'],
          properties: {
            replica: { type: 'string', description: 'host:port/database' },
            state: { type: 'string', enum: ['up', 'behind', 'down'] },
            lagSeconds: { type: 'number', nullable: true },
          },
        },
      },
    },
  },
};

/** Probes and metrics, never cached: each answer must be this instance's state now. */
@Controller()
@Public()
@SkipThrottle()
@ApiTags('Operations')
export class HealthController {
  constructor(
    private readonly database: DatabaseState,
    private readonly metrics: Metrics,
    private readonly replicas: ReadReplicas,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 200 while the process can answer at all. */
  @ApiOperation({ summary: 'Liveness: 200 while the process answers, even while starting' })
  @ApiResponse(STATUS_OK)
  @CacheControl('no-store')
  @Get('health/live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  /**
   * 200 once migrations are applied and the primary answers now; 503 otherwise. Read replicas
   * are reported, never required: the primary serves while they are down or behind.
   */
  @ApiOperation({
    summary: 'Readiness: 200 once migrated and the database answers, 503 otherwise',
    description:
      'With DATABASE_REPLICA_URLS, `replicas` gives each read replica’s state (`up`, `behind`: over 1 s behind, `down`) and lag; a replica never makes the instance unready.',
  })
  @ApiResponse(STATUS_READY)
  @ApiResponse({
    status: 503,
    description: 'Not migrated yet, or the database does not answer (service_unavailable)',
    content: { 'application/problem+json': { schema: PROBLEM_REF } },
  })
  @CacheControl('no-store')
  @Get('health/ready')
  async ready() {
    if (!(await this.database.isReady())) {
      throw new DomainError(
        'service_unavailable',
        'The database is not reachable or not migrated yet.',
        { headers: { 'Retry-After': '1' } },
      );
    }
    return this.replicas.enabled
      ? { status: 'ok', replicas: this.replicas.states() }
      : { status: 'ok' };
  }

  @ApiOperation({
    summary: 'Prometheus metrics of this instance (text exposition format)',
    description: 'Open unless METRICS_TOKEN is set; then `Authorization: Bearer <METRICS_TOKEN>`.',
  })
  @ApiSecurity({})
  @ApiSecurity('metrics')
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'The metrics (text/plain; version=0.0.4)',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiResponse({
    status: 401,
    description: 'METRICS_TOKEN is set and was not sent (unauthenticated)',
    content: { 'application/problem+json': { schema: PROBLEM_REF } },
  })
  @CacheControl('no-store')
  @Get('metrics')
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
