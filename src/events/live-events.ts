import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../observability/logger';
import { RateLimitedLog } from '../observability/rate-limited-log';
import { EventLogReader, LiveEvent } from './event-log-reader';
import { EventRelay } from './event-relay';

/** How long a gap may be a reordering of after-commit callbacks before the log is read. */
const GAP_WAIT_MS = 50;
/** While the relay is down, how often each store's log is read for other instances' events. */
const POLL_INTERVAL_MS = 1_000;
/** A read that found nothing new although a later sequence was announced waits this long. */
const RETRY_MS = 250;
/**
 * Fruitless reads after which an announced sequence is given up (5 s). With the log's numbering
 * a committed sequence is visible at once, so this only ends a wait for one that never comes,
 * such as an announcement from a database restored to an earlier point.
 */
const MAX_FRUITLESS_READS = 20;
const PAGE = 500;
/** Events a subscriber may have waiting; a slower one goes on from the log at its own pace. */
const MAX_QUEUED = 1_000;

export interface SubscribeOptions {
  /** Resume after this event of the store's log (its `id`), instead of from now. */
  readonly afterEventId?: string;
  /** Resume after this position of the store's log (what `position` answered). */
  readonly afterSequence?: number;
  /** Ends the subscription. */
  readonly signal?: AbortSignal;
}

/**
 * The one live stream of committed events, per store, in commit order, each exactly once:
 * GraphQL subscriptions, the sync agent, and the hosted UI's live pages and cache invalidation
 * read it. The event log is the source of truth. Each store with subscribers has a feed that
 * knows the last sequence it delivered (`head`); events come in from this instance's commits
 * (in-process, whatever the relay does) and from the relay (other instances' commits), and
 * whenever a sequence is missing, the relay reconnected, or it is down, the feed reads the log
 * after `head`. A subscriber keeps its own position, so one that resumes after an event id, or
 * falls behind, reads the log until it reaches the feed and then follows it.
 */
@Injectable()
export class LiveEvents implements OnModuleInit, OnModuleDestroy {
  private readonly feeds = new Map<string, StoreFeed>();
  private readonly closing = new AbortController();
  private readonly log: RateLimitedLog;

  constructor(
    private readonly reader: EventLogReader,
    private readonly relay: EventRelay,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = new RateLimitedLog(logger);
  }

  onModuleInit(): void {
    this.relay.listen({
      batch: (batch) => this.feeds.get(batch.storeId)?.offer(batch.events, batch.head),
      resumed: () => void this.catchUpAll(),
    });
    void this.pollWhileRelayIsDown();
  }

  /** Called by the event log once a transaction's events have committed on this instance. */
  committed(storeId: string, events: readonly LiveEvent[]): void {
    if (events.length === 0) return;
    const head = events[events.length - 1].sequence;
    this.feeds.get(storeId)?.offer(events, head);
    try {
      this.relay.publish({ storeId, head, events });
    } catch (error) {
      // The change has committed and its caller waits for an answer: the others read the log.
      this.log.warn('relay-publish', { err: error, storeId }, 'relaying committed events failed');
    }
  }

  /**
   * The store's committed events from now on (or after `afterEventId`), in commit order. Resolves
   * once the subscription is in place: every event that commits after that is delivered.
   * An unknown `afterEventId` is a `not_found` error.
   */
  async subscribe(
    storeId: string,
    options: SubscribeOptions = {},
  ): Promise<AsyncIterableIterator<LiveEvent>> {
    const feed = this.feedOf(storeId);
    try {
      await feed.ready;
      const position = options.afterEventId
        ? await this.reader.sequenceOf(storeId, options.afterEventId)
        : (options.afterSequence ?? feed.head);
      const subscription = new LiveSubscription(feed, position, this.reader, this.log);
      feed.subscribers.add(subscription);
      const { signal } = options;
      if (signal) {
        if (signal.aborted) subscription.end();
        else signal.addEventListener('abort', () => subscription.end(), { once: true });
      }
      return subscription;
    } finally {
      feed.joining -= 1;
      this.dropIfUnused(feed);
    }
  }

  /**
   * The store's position in its log now: a page rendered after reading it and subscribed after
   * it later misses no event committed in between.
   */
  async position(storeId: string): Promise<number> {
    const feed = this.feeds.get(storeId);
    return feed?.initialized ? feed.head : this.reader.head(storeId);
  }

  /** Subscriptions open on this instance for the store (for tests and metrics). */
  subscriberCount(storeId: string): number {
    return this.feeds.get(storeId)?.subscribers.size ?? 0;
  }

  private feedOf(storeId: string): StoreFeed {
    let feed = this.feeds.get(storeId);
    if (!feed) {
      feed = new StoreFeed(storeId, this.reader, this.log, (unused) => this.dropIfUnused(unused));
      this.feeds.set(storeId, feed);
    }
    feed.joining += 1;
    return feed;
  }

  private dropIfUnused(feed: StoreFeed): void {
    if (
      feed.joining === 0 &&
      feed.subscribers.size === 0 &&
      this.feeds.get(feed.storeId) === feed
    ) {
      this.feeds.delete(feed.storeId);
      feed.close();
    }
  }

  /** One store after the other, so a catch-up of many stores holds one connection at a time. */
  private async catchUpAll(): Promise<void> {
    for (const feed of [...this.feeds.values()]) await feed.catchUp();
  }

  private async pollWhileRelayIsDown(): Promise<void> {
    const { signal } = this.closing;
    while (!signal.aborted) {
      await sleep(POLL_INTERVAL_MS, undefined, { signal, ref: false }).catch(() => undefined);
      if (!signal.aborted && !this.relay.connected) await this.catchUpAll();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closing.abort();
    for (const feed of this.feeds.values()) feed.close();
    this.feeds.clear();
    this.log.flush();
    await this.relay.close();
  }
}

/** One store's place in its log on this instance, while anyone here listens to it. */
class StoreFeed {
  /** The last sequence delivered; every event up to it has gone to the attached subscribers. */
  head = 0;
  /** The highest sequence known to exist (announced by a commit or the relay). */
  private announced = 0;
  /** Events after `head` that came before the ones between. */
  private readonly early = new Map<number, LiveEvent>();
  readonly subscribers = new Set<LiveSubscription>();
  /** Subscriptions being set up: the feed must not be dropped under them. */
  joining = 0;
  readonly ready: Promise<void>;
  initialized = false;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private fruitlessReads = 0;
  private closed = false;

  constructor(
    readonly storeId: string,
    private readonly reader: EventLogReader,
    private readonly log: RateLimitedLog,
    readonly dropIfUnused: (feed: StoreFeed) => void,
  ) {
    this.ready = this.reader.head(storeId).then((head) => {
      this.head = Math.max(this.head, head);
      this.initialized = true;
      this.advance();
    });
    // A failed start is the first subscriber's error; the feed is dropped with it.
    this.ready.catch(() => undefined);
  }

  offer(events: readonly LiveEvent[], announced: number): void {
    for (const item of events) if (item.sequence > this.head) this.early.set(item.sequence, item);
    this.announced = Math.max(this.announced, announced);
    this.advance();
  }

  /** Delivers what follows `head` without a gap, and reads the log for a gap that remains. */
  private advance(): void {
    if (!this.initialized || this.closed) return;
    this.drain();
    if (this.announced > this.head) this.readLater(GAP_WAIT_MS);
  }

  private drain(): void {
    for (let next = this.early.get(this.head + 1); next; next = this.early.get(this.head + 1)) {
      this.early.delete(next.sequence);
      this.deliver(next);
    }
    for (const sequence of this.early.keys())
      if (sequence <= this.head) this.early.delete(sequence);
  }

  private deliver(item: LiveEvent): void {
    this.head = item.sequence;
    for (const subscriber of this.subscribers) subscriber.offer(item);
  }

  private readLater(delayMs: number): void {
    if (this.reading) {
      // The read under way may have started before this announcement.
      this.readAgain = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.catchUp();
    }, delayMs);
  }

  /** Reads the log after `head` and delivers it; one read at a time, again if asked meanwhile. */
  catchUp(): Promise<void> {
    if (this.closed || !this.initialized) return Promise.resolve();
    if (this.reading) {
      this.readAgain = true;
      return this.reading;
    }
    this.reading = this.read().finally(() => {
      this.reading = undefined;
      if (this.readAgain) {
        this.readAgain = false;
        void this.catchUp();
      }
    });
    return this.reading;
  }

  private async read(): Promise<void> {
    const before = this.head;
    try {
      for (;;) {
        const page = await this.reader.after(this.storeId, this.head, PAGE);
        if (this.closed) return;
        // The log is the truth: a sequence it skips (removed by retention) is skipped here too.
        for (const item of page) if (item.sequence > this.head) this.deliver(item);
        if (page.length < PAGE) break;
      }
    } catch (error) {
      this.log.warn(
        'live-events-read',
        { err: error, storeId: this.storeId },
        'reading the event log for live subscribers failed; retrying',
      );
      this.retry(POLL_INTERVAL_MS);
      return;
    }
    this.drain();
    if (this.announced <= this.head) {
      this.fruitlessReads = 0;
      return;
    }
    this.fruitlessReads = this.head === before ? this.fruitlessReads + 1 : 0;
    if (this.fruitlessReads < MAX_FRUITLESS_READS) {
      // Announced but not visible yet: read again shortly rather than skip it.
      this.retry(RETRY_MS);
      return;
    }
    this.log.warn(
      'live-events-missing',
      { storeId: this.storeId, head: this.head, announced: this.announced },
      'an announced event never appeared in the event log; following the log as it is',
    );
    this.announced = this.head;
    this.fruitlessReads = 0;
  }

  private retry(delayMs: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.catchUp();
    }, delayMs);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    for (const subscriber of this.subscribers) subscriber.end();
  }
}

/**
 * One subscriber's iterator. While attached it takes each event the feed delivers after its
 * position; detached (resuming after an event id, or too far behind), it reads the log from its
 * position until it has caught up with the feed, and attaches again.
 */
class LiveSubscription implements AsyncIterableIterator<LiveEvent> {
  private readonly queue: LiveEvent[] = [];
  private attached = false;
  private done = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly feed: StoreFeed,
    /** The last sequence queued (or yielded): the next one it takes is `position + 1`. */
    private position: number,
    private readonly reader: EventLogReader,
    private readonly log: RateLimitedLog,
  ) {
    this.attached = position >= feed.head;
  }

  offer(item: LiveEvent): void {
    if (!this.attached || this.done || item.sequence <= this.position) return;
    if (item.sequence !== this.position + 1 || this.queue.length >= MAX_QUEUED) {
      this.attached = false;
    } else {
      this.queue.push(item);
      this.position = item.sequence;
    }
    this.notify();
  }

  async next(): Promise<IteratorResult<LiveEvent>> {
    while (!this.done) {
      const item = this.queue.shift();
      if (item) return { value: item, done: false };
      if (this.attached) await new Promise<void>((resolve) => (this.wake = resolve));
      else await this.readFromLog();
    }
    return { value: undefined, done: true };
  }

  private async readFromLog(): Promise<void> {
    let page: LiveEvent[];
    try {
      page = await this.reader.after(this.feed.storeId, this.position, PAGE);
    } catch (error) {
      this.log.warn(
        'live-events-read',
        { err: error, storeId: this.feed.storeId },
        'reading the event log for live subscribers failed; retrying',
      );
      await this.pause(POLL_INTERVAL_MS);
      return;
    }
    if (this.done) return;
    for (const item of page) {
      if (item.sequence <= this.position) continue;
      this.queue.push(item);
      this.position = item.sequence;
    }
    if (page.length < PAGE && this.position >= this.feed.head) this.attached = true;
    else if (page.length === 0) await this.pause(RETRY_MS);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Ends the iteration now, also for a `next()` that is waiting. */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.queue.length = 0;
    this.feed.subscribers.delete(this);
    this.notify();
    this.feed.dropIfUnused(this.feed);
  }

  async return(): Promise<IteratorResult<LiveEvent>> {
    this.end();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<LiveEvent>> {
    this.end();
    throw error;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<LiveEvent> {
    return this;
  }
}
