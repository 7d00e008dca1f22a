import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { INestApplicationContext } from '@nestjs/common';
import type { Logger } from 'pino';
import { TransactionalConnection } from '../database/transactional-connection';
import { EventLog } from '../events/event-log.service';
import type { LiveEvent } from '../events/event-log-reader';
import { LiveEvents } from '../events/live-events';
import { OrdersService } from '../orders/orders.service';
import { StoresService } from '../platform/stores.service';
import { SyncChangesService } from '../sync/sync-changes.service';
import { SyncHandlers } from '../sync/sync-handlers';
import { SyncLinks } from '../sync/sync-links';
import { resourceOfEvent } from '../sync/sync-resources';
import { AgentMetrics } from './agent-metrics';
import type { AgentOptions } from './agent-options';
import { AgentState } from './agent-state';
import { findLocalStore, LocalStore } from './local-store';
import { OrderApplier } from './order-applier';
import { PlatformClient } from './platform-client';
import { PlatformEvents } from './platform-events';
import { PlatformValues } from './platform-values';
import { Puller } from './puller';
import { Pusher } from './pusher';
import { PUSHED_RESOURCES } from './push-batch';
import { SyncLoop } from './sync-loop';

/**
 * The agent: the push side and the pull side, each a loop that polls and can be woken, plus
 * what wakes them (local events for pushing, the platform's live events for pulling), until
 * stopped. The two sides share nothing but the database, each in its own transactions.
 */
export class SyncAgent {
  private readonly stopping = new AbortController();
  private running: Promise<unknown> = Promise.resolve();
  private metricsServer: Server | undefined;

  private constructor(
    readonly store: LocalStore,
    private readonly push: SyncLoop,
    private readonly pull: SyncLoop,
    private readonly platformEvents: PlatformEvents,
    private readonly live: LiveEvents,
    readonly metrics: AgentMetrics,
  ) {}

  static async create(
    context: INestApplicationContext,
    options: AgentOptions,
    logger: Logger,
  ): Promise<SyncAgent> {
    const store = await findLocalStore(context.get(StoresService), options.store);
    const metrics = new AgentMetrics();
    const connection = context.get(TransactionalConnection);
    const state = new AgentState(store.id, options.platform);
    const client = new PlatformClient(options.platform, options.key, logger, metrics);
    const pusher = new Pusher(
      store,
      context.get(SyncChangesService),
      connection,
      state,
      client,
      logger,
      metrics,
      new PlatformValues(context.get(SyncHandlers), context.get(EventLog)),
    );
    const puller = new Puller(
      store,
      connection,
      state,
      client,
      new OrderApplier(context.get(OrdersService), context.get(SyncLinks), state),
      logger,
      metrics,
    );
    const succeeded = (direction: string) => () =>
      metrics.lastSuccess.set({ direction }, Date.now() / 1000);
    const push = new SyncLoop(
      'push',
      (signal) => pusher.drain(signal).then(() => undefined),
      options.pushIntervalMs,
      logger,
      succeeded('push'),
    );
    const pull = new SyncLoop(
      'pull',
      (signal) => puller.drain(signal).then(() => undefined),
      options.pullIntervalMs,
      logger,
      succeeded('pull'),
    );
    const platformEvents = new PlatformEvents(
      options.platform,
      options.key,
      () => pull.wake(),
      logger,
      metrics,
    );
    return new SyncAgent(store, push, pull, platformEvents, context.get(LiveEvents), metrics);
  }

  async start(options: { metricsPort?: number } = {}): Promise<void> {
    if (options.metricsPort !== undefined)
      this.metricsServer = await this.metrics.serve(options.metricsPort);
    const signal = this.stopping.signal;
    this.running = Promise.all([
      this.push.run(signal),
      this.pull.run(signal),
      this.platformEvents.run(signal),
      this.wakePushOnLocalChanges(signal),
    ]);
  }

  /** Ends the loops after their current round (an applied order is never cut in half). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    const server = this.metricsServer;
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  /**
   * Local changes this process hears of (its own writes, such as the stock a pulled order took,
   * and, with REDIS_URL, the local server's) are pushed at once rather than at the next poll.
   */
  private async wakePushOnLocalChanges(signal: AbortSignal): Promise<void> {
    let events: AsyncIterable<LiveEvent> | undefined;
    while (!events && !signal.aborted) {
      // The local database may be away at this moment; the push loop polls meanwhile.
      events = await this.live.subscribe(this.store.id, { signal }).catch(() => undefined);
      if (!events) await sleep(1_000, undefined, { signal }).catch(() => undefined);
    }
    if (!events) return;
    for await (const { event } of events) {
      const resource = resourceOfEvent(event.type);
      if (resource && (PUSHED_RESOURCES as readonly string[]).includes(resource)) this.push.wake();
    }
  }
}
