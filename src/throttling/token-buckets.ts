import Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { BucketLimit, BucketState, BucketTake, takeFromBucket } from './token-bucket';

/**
 * Token buckets by key (`rest:<credential>:<store>`, `graphql:<credential>:<store>`), with the
 * size and refill rate given on each take so that a credential's override applies at once.
 */
export abstract class TokenBuckets {
  /** Takes `cost` points if the bucket holds them; answers whether it did, and what is left. */
  abstract take(key: string, cost: number, limit: BucketLimit): Promise<BucketTake>;
}

/** One instance's buckets, in an LRU: a bucket pushed out is simply full again. */
export class InMemoryTokenBuckets extends TokenBuckets {
  private readonly buckets = new LRUCache<string, BucketState>({ max: 100_000 });

  async take(key: string, cost: number, limit: BucketLimit): Promise<BucketTake> {
    const { taken, state } = takeFromBucket(this.buckets.get(key), cost, limit, Date.now());
    this.buckets.set(key, state);
    return new BucketTake(taken, state.points, limit);
  }
}

/**
 * takeFromBucket in Redis, refilled and taken in one script so concurrent requests on any instance
 * never both spend the last points. Time comes from Redis, so instances' clocks do not matter. A
 * bucket left alone expires once it would be full again.
 */
const TAKE = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local stored = redis.call('HMGET', KEYS[1], 'points', 'at')
local points = tonumber(stored[1]) or capacity
local at = tonumber(stored[2]) or now
points = math.min(capacity, points + (now - at) / 1000 * rate)
local taken = 0
if points >= cost then
  points = points - cost
  taken = 1
end
redis.call('HSET', KEYS[1], 'points', tostring(points), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - points) / rate * 1000) + 1000)
return { taken, tostring(points) }
`;

type WithTakeScript = Redis & {
  takeTokens(key: string, ...args: (string | number)[]): Promise<[number, string]>;
};

/**
 * The buckets of every instance, in Redis. When Redis does not answer, each instance falls back
 * to its own in-memory buckets: limits then hold per instance instead of across them, and the
 * API stays up. Nothing waits on a dead Redis: commands are refused at once while the client is
 * not connected (no offline queue, no retries), and it reconnects in the background; takes go
 * back to Redis as soon as it is ready again.
 */
export class RedisTokenBuckets extends TokenBuckets {
  private readonly redis: WithTakeScript;
  private readonly fallback = new InMemoryTokenBuckets();
  private fallingBack = false;

  constructor(
    redisUrl: string,
    private readonly logger: Logger,
    private readonly fallbacks: Counter,
  ) {
    super();
    this.redis = new Redis(redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1_000,
      // A healthy Redis runs the script in well under a millisecond.
      commandTimeout: 250,
    }) as WithTakeScript;
    this.redis.defineCommand('takeTokens', { numberOfKeys: 1, lua: TAKE });
    this.redis.on('error', (error: Error) => this.unavailable(error));
  }

  async take(key: string, cost: number, limit: BucketLimit): Promise<BucketTake> {
    if (this.redis.status === 'ready') {
      try {
        const [taken, points] = await this.redis.takeTokens(
          `dukkadee:bucket:${key}`,
          limit.bucket,
          limit.refillPerSecond,
          cost,
        );
        if (this.fallingBack) {
          this.fallingBack = false;
          this.logger.info('redis answers again: rate limits are shared across instances');
        }
        return new BucketTake(taken === 1, Number(points), limit);
      } catch (error) {
        this.unavailable(error as Error);
        // A connection that stopped answering is replaced, rather than waited on by every take.
        if ((error as Error).message === 'Command timed out') this.redis.disconnect(true);
      }
    } else {
      this.unavailable(new Error(`The redis connection is ${this.redis.status}.`));
    }
    this.fallbacks.inc();
    return this.fallback.take(key, cost, limit);
  }

  /** One warning per outage; ioredis reports every failed reconnection. */
  private unavailable(error: Error): void {
    if (this.fallingBack) return;
    this.fallingBack = true;
    this.logger.warn(
      { err: error },
      'redis does not answer: rate limits are kept per instance until it does',
    );
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
