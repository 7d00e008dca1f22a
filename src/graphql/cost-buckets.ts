import Redis from 'ioredis';
import { LRUCache } from 'lru-cache';

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface BucketTake {
  taken: boolean;
  status: ThrottleStatus;
}

/**
 * Token buckets of GraphQL cost points per credential (GRAPHQL_COST_BUCKET points, refilled at
 * GRAPHQL_COST_REFILL_PER_SECOND): in memory on one instance, in Redis across instances.
 */
export interface CostBuckets {
  /** Takes `cost` points if the bucket has them; answers whether it did, and what is left. */
  take(key: string, cost: number): Promise<BucketTake>;
  close(): Promise<void>;
}

export class InMemoryCostBuckets implements CostBuckets {
  private readonly buckets = new LRUCache<string, { points: number; at: number }>({
    max: 100_000,
  });

  constructor(
    protected readonly capacity: number,
    protected readonly refillPerSecond: number,
  ) {}

  async take(key: string, cost: number, now = Date.now()): Promise<BucketTake> {
    const bucket = this.buckets.get(key) ?? { points: this.capacity, at: now };
    const refilled = Math.min(
      this.capacity,
      bucket.points + ((now - bucket.at) / 1000) * this.refillPerSecond,
    );
    const taken = refilled >= cost;
    const points = taken ? refilled - cost : refilled;
    this.buckets.set(key, { points, at: now });
    return { taken, status: this.status(points) };
  }

  protected status(points: number): ThrottleStatus {
    return {
      maximumAvailable: this.capacity,
      currentlyAvailable: Math.floor(points),
      restoreRate: this.refillPerSecond,
    };
  }

  async close(): Promise<void> {}
}

/**
 * The same bucket in Redis, refilled and taken in one script so concurrent requests on any
 * instance never both spend the last points. Time comes from Redis, so instances' clocks do not
 * matter. A bucket left alone expires once it would be full again.
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

export class RedisCostBuckets extends InMemoryCostBuckets {
  private readonly redis: Redis;

  constructor(redisUrl: string, capacity: number, refillPerSecond: number) {
    super(capacity, refillPerSecond);
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    this.redis.defineCommand('takeCostPoints', { numberOfKeys: 1, lua: TAKE });
  }

  override async take(key: string, cost: number): Promise<BucketTake> {
    const [taken, points] = (await (
      this.redis as unknown as {
        takeCostPoints(key: string, ...args: (string | number)[]): Promise<[number, string]>;
      }
    ).takeCostPoints(
      `dukkadee:graphql-cost:${key}`,
      this.capacity,
      this.refillPerSecond,
      cost,
    )) as [number, string];
    return { taken: taken === 1, status: this.status(Number(points)) };
  }

  override async close(): Promise<void> {
    this.redis.disconnect();
  }
}
