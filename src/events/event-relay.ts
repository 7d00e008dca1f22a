import type { LiveEvent } from './event-log-reader';

/**
 * What one instance tells the others about a store's log: it has reached `head`, and here are
 * the events up to it when they fit in a message. It is a doorbell: a receiver that finds a gap
 * before `head` (or gets no events) reads the log itself.
 */
export interface RelayedBatch {
  readonly storeId: string;
  readonly head: number;
  readonly events: readonly LiveEvent[];
}

export interface RelayListener {
  /** A batch committed on another instance. */
  batch(batch: RelayedBatch): void;
  /** Batches may have been lost (the relay was down or reconnected): read the log to catch up. */
  resumed(): void;
}

/**
 * Carries committed events to the other instances. Never to this one: the instance that made a
 * change feeds its own subscribers in-process, so they do not depend on the relay at all.
 */
export abstract class EventRelay {
  protected listener: RelayListener | undefined;

  listen(listener: RelayListener): void {
    this.listener = listener;
  }

  /**
   * Whether batches of other instances are arriving now. While they are not, the live feed polls
   * the log instead.
   */
  abstract get connected(): boolean;

  abstract publish(batch: RelayedBatch): void;

  async close(): Promise<void> {}
}

/** One instance (no REDIS_URL): there is nobody to tell, and nobody else commits. */
export class LocalEventRelay extends EventRelay {
  get connected(): boolean {
    return true;
  }

  publish(): void {}
}
