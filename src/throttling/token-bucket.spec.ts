import { BucketTake, takeFromBucket } from './token-bucket';

const limit = { bucket: 10, refillPerSecond: 2 };

describe('takeFromBucket', () => {
  it('starts a bucket never seen full, and takes the cost from it', () => {
    expect(takeFromBucket(undefined, 3, limit, 1_000)).toEqual({
      taken: true,
      state: { points: 7, at: 1_000 },
    });
  });

  it('refills at the rate for the time elapsed, never above the bucket', () => {
    const half = takeFromBucket({ points: 1, at: 0 }, 0, limit, 1_500);
    expect(half.state.points).toBe(4);
    const long = takeFromBucket({ points: 1, at: 0 }, 0, limit, 60_000);
    expect(long.state.points).toBe(10);
  });

  it('takes nothing when the bucket lacks the cost, but still counts the refill', () => {
    expect(takeFromBucket({ points: 0.5, at: 0 }, 1, limit, 100)).toEqual({
      taken: false,
      state: { points: 0.7, at: 100 },
    });
  });

  it('takes the last whole point exactly', () => {
    expect(takeFromBucket({ points: 1, at: 0 }, 1, limit, 0)).toEqual({
      taken: true,
      state: { points: 0, at: 0 },
    });
  });

  it('caps a bucket at a limit lowered since, and keeps its level when raised', () => {
    expect(
      takeFromBucket({ points: 10, at: 0 }, 1, { bucket: 3, refillPerSecond: 1 }, 0).state,
    ).toEqual({ points: 2, at: 0 });
    expect(
      takeFromBucket({ points: 2, at: 0 }, 1, { bucket: 50, refillPerSecond: 1 }, 0).state,
    ).toEqual({ points: 1, at: 0 });
  });

  it('ignores a clock that went backwards', () => {
    expect(takeFromBucket({ points: 2, at: 5_000 }, 1, limit, 4_000).state.points).toBe(1);
  });
});

describe('BucketTake', () => {
  it('reports whole remaining points, rounded down', () => {
    expect(new BucketTake(true, 4.99, limit).remaining).toBe(4);
    expect(new BucketTake(false, 0.3, limit).remaining).toBe(0);
  });

  it('counts whole seconds until full, rounded up, and 0 when full', () => {
    expect(new BucketTake(true, 9, limit).secondsUntilFull).toBe(1);
    expect(new BucketTake(true, 0, limit).secondsUntilFull).toBe(5);
    expect(new BucketTake(true, 10, limit).secondsUntilFull).toBe(0);
  });

  it('counts whole seconds until a cost is available again', () => {
    expect(new BucketTake(false, 0.3, limit).secondsUntilAvailable(1)).toBe(1);
    expect(
      new BucketTake(false, 49.04, { bucket: 150, refillPerSecond: 1 }).secondsUntilAvailable(101),
    ).toBe(52);
    expect(new BucketTake(true, 5, limit).secondsUntilAvailable(1)).toBe(0);
  });
});
