import { randomUUID } from 'node:crypto';
import Redis, { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimitedLog } from '../observability/rate-limited-log';
import { EventRelay, RelayedBatch } from './event-relay';

/** A new channel name: the batches carry sequences, which the old channel's messages lacked. */
const CHANNEL = 'dukkadee:live-events';
/** Larger batches ring the bell without the events; receivers read them from the log. */
const MAX_MESSAGE_BYTES = 256 * 1024;

interface Message extends RelayedBatch {
  readonly origin: string;
}

/**
 * The relay over one Redis pub/sub channel. Redis is only the doorbell: a message lost while it
 * is down is found again in the event log, because the live feed reads the log whenever the
 * subscriber connection comes back (and polls it while the connection is down). What this
 * instance failed to publish is published again, as a bare doorbell per store, once its
 * publisher reconnects, for instances whose own connection never broke.
 */
export class RedisEventRelay extends EventRelay {
  private readonly origin = randomUUID();
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly log: RateLimitedLog;
  private subscribed = false;
  /** The highest sequence per store whose publication failed, to announce on reconnection. */
  private readonly unannounced = new Map<string, number>();

  constructor(redisUrl: string, logger: Logger) {
    super();
    this.log = new RateLimitedLog(logger);
    const options: RedisOptions = {
      maxRetriesPerRequest: 1,
      // Reconnect within a second of Redis answering again, however long the outage lasted.
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    };
    // A publication that cannot be sent now fails at once instead of piling up in memory: the
    // log has the events, and the doorbell is rung again on reconnection.
    this.publisher = new Redis(redisUrl, { ...options, enableOfflineQueue: false });
    this.subscriber = new Redis(redisUrl, options);
    for (const client of [this.publisher, this.subscriber])
      client.on('error', (error: unknown) =>
        this.log.warn('redis-connection', { err: error }, 'redis event relay connection failed'),
      );
    this.publisher.on('ready', () => this.announceUnsent());
    this.subscriber.on('close', () => {
      this.subscribed = false;
    });
    this.subscriber.on('ready', () => void this.resubscribe());
    this.subscriber.on('message', (_channel: string, message: string) => this.receive(message));
  }

  get connected(): boolean {
    return this.subscribed;
  }

  publish(batch: RelayedBatch): void {
    let message = JSON.stringify({ ...batch, origin: this.origin } satisfies Message);
    if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES)
      message = JSON.stringify({ ...batch, events: [], origin: this.origin } satisfies Message);
    this.publisher.publish(CHANNEL, message).catch((error: unknown) => {
      this.unannounced.set(
        batch.storeId,
        Math.max(batch.head, this.unannounced.get(batch.storeId) ?? 0),
      );
      this.log.warn(
        'redis-publish',
        { err: error, storeId: batch.storeId },
        'publishing events to redis failed; other instances read them from the event log',
      );
    });
  }

  /**
   * Subscribes again on every (re)connection, then tells the feed to read the log: what was
   * committed while this connection was down is read there, and what commits after the
   * subscription is confirmed arrives as messages.
   */
  private async resubscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(CHANNEL);
    } catch (error) {
      this.log.warn('redis-subscribe', { err: error }, 'subscribing to redis events failed');
      return;
    }
    this.subscribed = true;
    this.listener?.resumed();
  }

  private announceUnsent(): void {
    const unsent = [...this.unannounced];
    this.unannounced.clear();
    for (const [storeId, head] of unsent) this.publish({ storeId, head, events: [] });
  }

  private receive(text: string): void {
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch (error) {
      this.log.warn('redis-unreadable', { err: error }, 'unreadable message on the redis relay');
      return;
    }
    if (message.origin === this.origin) return;
    if (typeof message.storeId !== 'string' || !Number.isSafeInteger(message.head)) {
      this.log.warn('redis-unreadable', {}, 'unreadable message on the redis relay');
      return;
    }
    this.listener?.batch({
      storeId: message.storeId,
      head: message.head,
      events: Array.isArray(message.events) ? message.events : [],
    });
  }

  override async close(): Promise<void> {
    this.log.flush();
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}
