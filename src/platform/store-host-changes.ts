import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { RateLimitedLog } from '../observability/rate-limited-log';

/** The channel every instance's host cache listens on. */
const CHANNEL = 'dukkadee:store-hosts';

/**
 * Tells every instance's host cache that a store's hosts or status changed. This instance's
 * listener is called at once; other instances hear of it over Redis when there is one. A lost
 * message costs nothing lasting: the cache's TTL bounds how long an old answer is served.
 */
export abstract class StoreHostChanges {
  private readonly listeners: (() => void)[] = [];

  listen(listener: () => void): void {
    this.listeners.push(listener);
  }

  announce(): void {
    this.notify();
  }

  protected notify(): void {
    for (const listener of this.listeners) listener();
  }

  async onModuleDestroy(): Promise<void> {}
}

/** One instance (no REDIS_URL): nobody else holds a cache. */
export class LocalStoreHostChanges extends StoreHostChanges {}

export class RedisStoreHostChanges extends StoreHostChanges {
  private readonly origin = randomUUID();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly log: RateLimitedLog;

  constructor(redisUrl: string, logger: Logger) {
    super();
    this.log = new RateLimitedLog(logger);
    const options = {
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
    };
    // Not queued while Redis is down: the TTL covers a missed message, a queue would only grow.
    this.publisher = new Redis(redisUrl, { ...options, enableOfflineQueue: false });
    this.subscriber = new Redis(redisUrl, options);
    for (const client of [this.publisher, this.subscriber])
      client.on('error', (error: unknown) =>
        this.log.warn('redis-connection', { err: error }, 'redis store-hosts connection failed'),
      );
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(CHANNEL).catch((error: unknown) => {
        this.log.warn('redis-subscribe', { err: error }, 'subscribing to store hosts failed');
      });
    });
    this.subscriber.on('message', (_channel: string, message: string) => {
      if (message !== this.origin) this.notify();
    });
  }

  override announce(): void {
    super.announce();
    this.publisher.publish(CHANNEL, this.origin).catch((error: unknown) => {
      this.log.warn('redis-publish', { err: error }, 'publishing a store-hosts change failed');
    });
  }

  override async onModuleDestroy(): Promise<void> {
    this.log.flush();
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}
