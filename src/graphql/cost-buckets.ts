import { LRUCache } from 'lru-cache';

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/**
 * A token bucket of GraphQL cost points per credential (GRAPHQL_COST_BUCKET points, refilled at
 * GRAPHQL_COST_REFILL_PER_SECOND). Per instance for now: the shared Redis bucket comes with the
 * rate limits of REST (issue 6), which will take this one's place behind the same interface.
 */
export class CostBuckets {
  private readonly buckets = new LRUCache<string, { points: number; at: number }>({
    max: 100_000,
  });

  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
  ) {}

  /** Takes `cost` points if the bucket has them; answers whether it did, and what is left. */
  take(key: string, cost: number, now = Date.now()): { taken: boolean; status: ThrottleStatus } {
    const bucket = this.buckets.get(key) ?? { points: this.capacity, at: now };
    const refilled = Math.min(
      this.capacity,
      bucket.points + ((now - bucket.at) / 1000) * this.refillPerSecond,
    );
    const taken = refilled >= cost;
    const points = taken ? refilled - cost : refilled;
    this.buckets.set(key, { points, at: now });
    return {
      taken,
      status: {
        maximumAvailable: this.capacity,
        currentlyAvailable: Math.floor(points),
        restoreRate: this.refillPerSecond,
      },
    };
  }
}
