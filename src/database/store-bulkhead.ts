import { E_TIMEOUT, Semaphore, SemaphoreInterface, withTimeout } from 'async-mutex';

export interface BulkheadLimits {
  /** Connections one store's transactions may hold at once. */
  readonly connectionsPerStore: number;
  /** Transactions of one store that may wait for one of its connections; more are refused. */
  readonly queuePerStore: number;
  /** How long a transaction waits for one of its store's connections before it is refused. */
  readonly waitMs: number;
}

/** Why the bulkhead refused a transaction: its store's queue was full, or the wait too long. */
export type BulkheadRefusal = 'store_queue_full' | 'store_queue_timeout';

export class BulkheadFull extends Error {
  constructor(
    readonly refusal: BulkheadRefusal,
    readonly storeId: string,
  ) {
    super(`The store ${storeId} has as many transactions running and waiting as it may`);
    this.name = 'BulkheadFull';
  }
}

interface Compartment {
  readonly semaphore: SemaphoreInterface;
  /** The same semaphore, for a transaction that has to wait: the wait is bounded. */
  readonly timed: SemaphoreInterface;
  /** Transactions holding a connection or waiting for one. */
  entered: number;
}

/**
 * One compartment per store in front of the shared pool: a store's transactions hold at most
 * `connectionsPerStore` of its connections, and the rest wait in that store's own queue, bounded
 * in length and in time. A store whose tables are locked, or whose queries crawl, thus fills its
 * own compartment and no more, and every other store keeps the rest of the pool.
 *
 * The semaphore is async-mutex's; what is ours is the compartment per store, created when a
 * store is first seen and dropped when it has nothing running, so idle stores cost nothing.
 */
export class StoreBulkhead {
  private readonly compartments = new Map<string, Compartment>();

  constructor(private readonly limits: BulkheadLimits) {}

  /** Waits for one of the store's connections; answers the function that gives it back. */
  async enter(storeId: string): Promise<() => void> {
    const compartment = this.compartmentOf(storeId);
    if (compartment.entered >= this.limits.connectionsPerStore + this.limits.queuePerStore)
      throw new BulkheadFull('store_queue_full', storeId);
    compartment.entered++;
    try {
      // No timer for the common case, a free connection: only a wait needs bounding.
      const semaphore = compartment.semaphore.isLocked()
        ? compartment.timed
        : compartment.semaphore;
      const [, release] = await semaphore.acquire();
      return () => {
        release();
        this.leave(storeId, compartment);
      };
    } catch (error) {
      this.leave(storeId, compartment);
      if (error === E_TIMEOUT) throw new BulkheadFull('store_queue_timeout', storeId);
      throw error;
    }
  }

  /** Transactions of the store holding or waiting for a connection (for tests and metrics). */
  entered(storeId: string): number {
    return this.compartments.get(storeId)?.entered ?? 0;
  }

  private compartmentOf(storeId: string): Compartment {
    let compartment = this.compartments.get(storeId);
    if (!compartment) {
      const semaphore = new Semaphore(this.limits.connectionsPerStore);
      compartment = {
        semaphore,
        // A waiter that times out is answered at once; async-mutex hands the slot it would have
        // had straight back when it comes.
        timed: withTimeout(semaphore, this.limits.waitMs, E_TIMEOUT),
        entered: 0,
      };
      this.compartments.set(storeId, compartment);
    }
    return compartment;
  }

  private leave(storeId: string, compartment: Compartment): void {
    compartment.entered--;
    if (compartment.entered === 0 && !compartment.semaphore.isLocked())
      this.compartments.delete(storeId);
  }
}
