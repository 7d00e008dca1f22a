import { setTimeout as sleep } from 'node:timers/promises';
import { Client, createClient } from 'graphql-ws';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { AgentMetrics } from './agent-metrics';
import { backoffDelay } from './backoff';

const ORDER_EVENTS = [
  'order.created',
  'order.paid',
  'order.fulfilled',
  'order.cancelled',
  'order.updated',
];

const SUBSCRIPTION = `subscription SyncAgentOrders($types: [String!]) {
  events(types: $types) { id type }
}`;

/**
 * The platform's order events, live, over its GraphQL subscription: each one only says "pull
 * now" (the change feed, not the event, is what gets applied, so a missed or repeated event
 * does no harm). So does every (re)connection, for what happened while disconnected. The
 * connection is reopened after any loss, with growing delays.
 */
export class PlatformEvents {
  constructor(
    private readonly platformUrl: string,
    private readonly key: string,
    private readonly onEvent: () => void,
    private readonly logger: Logger,
    private readonly metrics: AgentMetrics,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    for (let failures = 0; !signal.aborted;) {
      const started = Date.now();
      const ended = await this.session(signal);
      if (signal.aborted) return;
      // A session that lived a while was a success: start the delays from the beginning.
      failures = Date.now() - started > 60_000 ? 1 : failures + 1;
      const retryInMs = backoffDelay(failures);
      this.logger.warn({ reason: ended, retryInMs }, 'real-time events interrupted; reconnecting');
      await sleep(retryInMs, undefined, { signal }).catch(() => undefined);
    }
  }

  /** One connection and subscription, until it ends; answers why it ended. */
  private session(signal: AbortSignal): Promise<string> {
    const client: Client = createClient({
      url: `${this.platformUrl.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${this.key}` },
      lazy: true,
      retryAttempts: 0,
      keepAlive: 10_000,
      on: {
        connected: () => {
          this.metrics.subscribed.set(1);
          this.logger.info('listening to platform order events');
          this.onEvent();
        },
        closed: () => this.metrics.subscribed.set(0),
      },
    });
    return new Promise<string>((resolve) => {
      let over = false;
      const end = (reason: string) => {
        if (over) return;
        over = true;
        signal.removeEventListener('abort', abort);
        unsubscribe();
        void client.dispose();
        resolve(reason);
      };
      const abort = () => end('stopped');
      const unsubscribe = client.subscribe(
        { query: SUBSCRIPTION, variables: { types: ORDER_EVENTS } },
        {
          next: (result) => {
            if (result.errors)
              this.logger.warn({ errors: result.errors }, 'event subscription error');
            else this.onEvent();
          },
          error: (error) => end(describe(error)),
          complete: () => end('completed by the platform'),
        },
      );
      signal.addEventListener('abort', abort, { once: true });
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (Array.isArray(error)) return error.map((each) => String(each?.message ?? each)).join('; ');
  const event = error as { code?: number; reason?: string; message?: string; error?: unknown };
  if (typeof event?.code === 'number') return `closed ${event.code} ${event.reason ?? ''}`.trim();
  // A WebSocket `error` event: its message, or the error it carries.
  if (typeof event?.message === 'string') return event.message;
  if (event?.error instanceof Error) return event.error.message;
  return String(error);
}
