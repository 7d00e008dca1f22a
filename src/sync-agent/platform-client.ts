import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ChangesPage } from '../sync/sync-changes.service';
import type { PushAnswer } from '../sync/sync-push.service';
import type { PushableResource, SyncResource } from '../sync/sync-resources';
import { backoffDelay, retryAfterMs } from './backoff';
import type { AgentMetrics } from './agent-metrics';

export interface PushChange {
  readonly resource: PushableResource;
  readonly externalId: string;
  readonly baseVersion: number | null;
  readonly deleted?: boolean;
  readonly data: Record<string, unknown>;
}

export interface PushBatch {
  readonly batchId: string;
  readonly changes: readonly PushChange[];
}

/** An answer the platform will give again if asked again: retrying cannot help. */
export class PlatformError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The platform's sync API, as the agent calls it. Rate limits (429, after its Retry-After),
 * server errors, timeouts and network failures are retried here with growing delays for as
 * long as it takes, so a platform restart or a network cut only pauses the agent; any other
 * answer is a PlatformError for the caller. Every call can be aborted (shutdown).
 */
export class PlatformClient {
  private readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly key: string,
    private readonly logger: Logger,
    private readonly metrics: AgentMetrics,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  changes(
    query: { cursor?: string | null; limit: number; resources: readonly SyncResource[] },
    signal: AbortSignal,
  ): Promise<ChangesPage> {
    const params = new URLSearchParams({
      limit: String(query.limit),
      resources: query.resources.join(','),
    });
    if (query.cursor) params.set('cursor', query.cursor);
    return this.request('GET', `/v1/sync/changes?${params}`, undefined, signal);
  }

  push(batch: PushBatch, signal: AbortSignal): Promise<PushAnswer> {
    return this.request('POST', '/v1/sync/push', batch, signal);
  }

  private async request<T>(
    method: string,
    path: string,
    body: unknown,
    signal: AbortSignal,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let retryIn: number;
      let reason: string;
      try {
        const response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${this.key}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
        });
        if (response.ok) return (await response.json()) as T;
        const problem = await readProblem(response);
        if (response.status !== 429 && response.status < 500)
          throw new PlatformError(response.status, problem.code, problem.detail);
        reason = response.status === 429 ? 'rate_limited' : 'server_error';
        retryIn = retryAfterMs(response.headers.get('retry-after')) ?? backoffDelay(attempt);
        this.logger.warn(
          {
            method,
            path: path.split('?')[0],
            status: response.status,
            attempt,
            retryInMs: retryIn,
          },
          'platform answered with an error; retrying',
        );
      } catch (error) {
        if (error instanceof PlatformError || signal.aborted) throw error;
        reason = 'network';
        retryIn = backoffDelay(attempt);
        this.logger.warn(
          {
            method,
            path: path.split('?')[0],
            attempt,
            retryInMs: retryIn,
            error: error instanceof Error ? (error.cause ?? error).toString() : String(error),
          },
          'platform unreachable; retrying',
        );
      }
      this.metrics.retries.inc({ reason });
      await sleep(retryIn, undefined, { signal });
    }
  }
}

async function readProblem(response: Response): Promise<{ code: string; detail: string }> {
  const text = await response.text().catch(() => '');
  try {
    const problem = JSON.parse(text) as { code?: unknown; detail?: unknown; title?: unknown };
    return {
      code: typeof problem.code === 'string' ? problem.code : `http_${response.status}`,
      detail: String(problem.detail ?? problem.title ?? response.statusText),
    };
  } catch {
    return { code: `http_${response.status}`, detail: text.slice(0, 200) || response.statusText };
  }
}
