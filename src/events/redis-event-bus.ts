import Redis from 'ioredis';
import type { Logger } from 'pino';
import { EventBus } from './event-bus';
import type { EventEnvelope } from './event-envelope';

const CHANNEL = 'dukkadee:events';

/**
 * Several instances: every committed event goes through one Redis channel and each instance
 * hands it to its own listeners, so a subscriber connected to any instance sees every event of
 * its store. Publishing never blocks the request that committed.
 */
export class RedisEventBus extends EventBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;

  constructor(
    redisUrl: string,
    private readonly logger: Logger,
  ) {
    super();
    const options = { lazyConnect: false, maxRetriesPerRequest: 1 };
    this.publisher = new Redis(redisUrl, options);
    this.subscriber = new Redis(redisUrl, options);
    for (const client of [this.publisher, this.subscriber])
      client.on('error', (error) => this.logger.warn({ err: error }, 'redis event bus error'));
    this.subscriber.on('message', (_channel, message: string) => {
      try {
        this.deliverLocally(JSON.parse(message) as EventEnvelope<object>);
      } catch (error) {
        this.logger.warn({ err: error }, 'unreadable event on the redis bus');
      }
    });
  }

  /** Resolves once this instance receives the channel, so nothing published after is missed. */
  async start(): Promise<void> {
    await this.subscriber.subscribe(CHANNEL);
  }

  publish(events: readonly EventEnvelope<object>[]): void {
    for (const event of events)
      this.publisher.publish(CHANNEL, JSON.stringify(event)).catch((error: unknown) => {
        this.logger.warn({ err: error, eventId: event.id }, 'publishing an event to redis failed');
      });
  }

  override async close(): Promise<void> {
    await super.close();
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}
