import { BentoCache, bentostore } from 'bentocache';
import { MemoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { CatalogChange } from './catalog-changes';
import { PostgresCacheSignals } from './postgres-cache-signals';

/** An answer as it goes on the wire: its bytes and the headers computed from them. */
export interface CachedAnswer {
  readonly body: string;
  readonly etag: string;
  /** `Link: <…>; rel="next"` of a list with a next page. */
  readonly link?: string;
}

/**
 * What an entry's answer depends on, which decides the committed changes that drop it:
 * - `products`: these products' contents (a product by id); a computation adds those it read
 *   (a page, a lookup by handle) through `ComputedEntry.holds`;
 * - `membership`: which products exist (a page's boundaries and its next cursor);
 * - `anyChange`: anything in the catalogue (a filtered list, which a change may enter or leave).
 * So a title edit drops the product and the pages that show it, not every list of the store.
 */
export interface CacheDependencies {
  readonly products?: readonly string[];
  readonly membership?: boolean;
  readonly anyChange?: boolean;
}

/**
 * A page of the catalogue in id order changes when products come or go (its boundaries, its next
 * cursor) or when one it shows changes (`ComputedEntry.holds`); a filtered page (a status, a
 * date) with any change, since a change may move a product into it or out of it.
 */
export function pageDependencies(filtered: boolean): CacheDependencies {
  return filtered ? { anyChange: true } : { membership: true };
}

/** What a computation tells the entry it is computing. */
export interface ComputedEntry {
  /** The answer shows these products: a change of any of them drops it. */
  holds(productIds: readonly string[]): void;
}

/**
 * The cached reads one answer is made of (a GraphQL operation's fields), so the whole answer can
 * be kept (`ResponseCache.keep`) depending on what each of them depends on.
 */
export class ReadRecorder {
  /** Before the first read: a change committed after this drops what is kept. */
  readonly startedAt = Date.now();
  /** What the reads depend on, as `Stored.subjects`. */
  readonly subjects = new Set<string>();
  /** A read that was not cached (no cache): the answer is not kept either. */
  uncached = false;

  add(subjects: Iterable<string>): void {
    for (const subject of subjects) this.subjects.add(subject);
  }
}

/**
 * The response cache: the serialised answers of catalogue reads, per store, API version and
 * request, invalidated by the committed events that change them (catalog-changes.ts).
 */
export abstract class ResponseCache {
  /**
   * The cached entry, or `compute`'s (then kept) on a miss. Entries are REST answers' bytes
   * (`CachedAnswer`) or the plain JSON values GraphQL and the storefront read; a value must
   * survive `JSON.stringify`/`JSON.parse` unchanged, since L2 holds it serialised.
   */
  abstract answer<T extends object>(
    storeId: string,
    key: string,
    dependencies: CacheDependencies,
    compute: (entry: ComputedEntry) => Promise<T>,
    recorder?: ReadRecorder,
  ): Promise<T>;

  /** The current entry, if there is one. */
  abstract lookup<T extends object>(storeId: string, key: string): Promise<T | undefined>;

  /**
   * Keeps an answer made of the recorded reads, depending on what they depend on; not if one of
   * them changed since the recording started (the answer may show it as it was).
   */
  abstract keep(storeId: string, key: string, value: object, recorder: ReadRecorder): Promise<void>;

  /** Drops the store's answers that depend on what the change changed. */
  abstract invalidate(storeId: string, change: CatalogChange): Promise<void>;

  async onModuleDestroy(): Promise<void> {}
}

/** CACHE_MEMORY_MB=0: every read is computed. */
export class NoResponseCache extends ResponseCache {
  answer<T extends object>(
    _storeId: string,
    _key: string,
    _dependencies: CacheDependencies,
    compute: (entry: ComputedEntry) => Promise<T>,
    recorder?: ReadRecorder,
  ): Promise<T> {
    if (recorder) recorder.uncached = true;
    return compute({ holds: () => undefined });
  }

  async lookup(): Promise<undefined> {
    return undefined;
  }

  async keep(): Promise<void> {}

  async invalidate(): Promise<void> {}
}

export interface TieredCacheOptions {
  readonly memoryBytes: number;
  /** L2 and the bus that keeps every instance's L1 in step. */
  readonly redisUrl?: string;
  /** Without Redis, the database's LISTEN/NOTIFY carries the other processes' changes. */
  readonly databaseUrl: string;
  readonly dataSource: DataSource;
  readonly registry: Registry;
  readonly logger: Logger;
}

/**
 * How long an entry lives: invalidation is what ends it, the TTL only bounds memory and doubt.
 * In milliseconds: bentocache parses a duration string on every call.
 */
const TTL = 10 * 60_000;
/** While other processes' changes may go unheard: nothing older than the contract's 1 s. */
const TTL_UNSIGNALLED = 1_000;
const ENTRY_LIMIT = 100_000;

/**
 * Two levels through bentocache: L1 in this process (an LRU bounded in bytes), L2 in Redis, and
 * bentocache's bus over Redis, which tells every other instance what a write changed. Without
 * Redis there is no L2, and the other processes on the database (the sync agent, the CLI, more
 * instances) signal their changes through PostgreSQL (postgres-cache-signals.ts). Every key starts
 * with its store's id, so no key a request can name reaches another store's entries, and every
 * entry depends on its store (`storeSubject`), so dropping one store's entries touches no other.
 * (Not bentocache's namespaces: a namespace forgets `serialize: false`, bentocache#121, and every
 * L1 hit would parse its entry's JSON, 13% of the CPU of a hot GraphQL page.)
 *
 * An entry names what it depends on (its subjects: products, the store's membership, anything of
 * the store) and when its computation started; every read checks them against when this process
 * last heard each subject change (`changedSince`), so an entry from either level is never served
 * after a change it predates.
 *
 * Until the signals are up, and whenever they are lost (Redis down, the listening connection
 * gone), this instance empties its L1 and keeps entries 1 s. When Redis comes back the whole cache
 * is cleared once, L2 included, and nothing computed before is trusted (`signalledSince`).
 */
export class TieredResponseCache extends ResponseCache {
  private readonly bento: BentoCache<{ answers: ReturnType<typeof bentostore> }>;
  private readonly lru: LRUCache<string, L1Item>;
  /**
   * When each subject (a product, a store's membership, anything of a store) last changed, as
   * this process heard of it: what an entry checks its subjects against on every read (see
   * `changedSince`). A plain Map swept every minute of what is older than any entry: an lru-cache
   * sized for a million products would allocate its arrays up front.
   */
  private readonly changedAt = new Map<string, number>();
  private readonly sweep = setInterval(() => {
    const before = Date.now() - TTL - 60_000;
    for (const [subject, at] of this.changedAt) if (at < before) this.changedAt.delete(subject);
  }, 60_000).unref();
  /**
   * Since when every change of every process reaches `changedAt`: an entry computed before (by
   * another instance, in L2, before this one started or while the signals were lost) may have
   * missed a change nobody told this process about, so it is not trusted.
   */
  private signalledSince = Date.now();
  private readonly redis?: Redis;
  private readonly signals?: PostgresCacheSignals;
  /** Whether every other process's invalidations reach this one right now. */
  private signalled = false;
  private everSignalled = false;
  private closing = false;
  private readonly hits: Counter<'level'>;
  private readonly misses: Counter;
  private readonly invalidations: Counter<'origin'>;
  private readonly evictions: Counter;
  private readonly fallbacks: Counter;

  constructor(private readonly options: TieredCacheOptions) {
    super();
    const registers = [options.registry];
    this.hits = new Counter({
      name: 'cache_hits_total',
      help: 'Response cache hits by level (l1: this process, l2: Redis)',
      labelNames: ['level'] as const,
      registers,
    });
    this.misses = new Counter({
      name: 'cache_misses_total',
      help: 'Response cache misses (computed from the database)',
      registers,
    });
    this.invalidations = new Counter({
      name: 'cache_invalidations_total',
      help: 'Invalidations applied to this instance: local (its own writes) or remote (another process)',
      labelNames: ['origin'] as const,
      registers,
    });
    this.evictions = new Counter({
      name: 'cache_l1_evictions_total',
      help: 'L1 entries evicted to keep within CACHE_MEMORY_MB',
      registers,
    });
    this.fallbacks = new Counter({
      name: 'cache_redis_fallbacks_total',
      help: "Times the cache lost other processes' signals (Redis, or the database listener) and kept 1 s entries",
      registers,
    });
    const lru = new LRUCache<string, L1Item>({
      max: ENTRY_LIMIT,
      maxSize: options.memoryBytes,
      sizeCalculation: sizeOfItem,
      ttlAutopurge: false,
      disposeAfter: (_value, _key, reason) => {
        if (reason === 'evict') this.evictions.inc();
      },
    });
    this.lru = lru;
    new Gauge({
      name: 'cache_l1_bytes',
      help: 'Bytes held by the L1 response cache',
      registers,
      collect() {
        this.set(lru.calculatedSize);
      },
    });
    new Gauge({
      name: 'cache_l1_entries',
      help: 'Entries held by the L1 response cache',
      registers,
      collect() {
        this.set(lru.size);
      },
    });
    // bentocache's memory driver over our LRU, so its size, evictions and clearing are ours. L1
    // keeps the entries as objects: a hit then costs no parsing (a list's entry is ~20 KB of JSON).
    const store = bentostore().useL1Layer({
      options: { serialize: false },
      factory: (config: object) =>
        new ObjectMemoryDriver({ ...config, cacheInstance: lru as never }),
    });
    if (options.redisUrl) {
      const redis = new Redis(options.redisUrl, {
        // Fail at once while Redis is away (the read is computed), never queue behind it.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        // Every connection made from these options (the bus's too) stops retrying on close.
        retryStrategy: (attempt: number) => (this.closing ? null : Math.min(attempt * 100, 1_000)),
      });
      this.redis = redis;
      redis.on('error', () => undefined); // reported once through the state change below
      redis.on('close', () => this.signalsLost('Redis'));
      redis.on('ready', () => void this.signalsUp());
      const bus = redisBusDriver({
        // Its SUBSCRIBE waits for Redis however long it takes: the bus never retries one that
        // failed, so a Redis down at start would leave this instance deaf for good.
        connection: { ...redis.options, enableOfflineQueue: true, maxRetriesPerRequest: null },
        retryQueue: { enabled: false },
      });
      store.useL2Layer(redisDriver({ connection: redis })).useBus({
        ...bus,
        // That waiting SUBSCRIBE is refused when the instance closes; the bus leaves the
        // rejection unhandled, which would end the process.
        factory: (config: unknown) => {
          const transport = bus.factory(config);
          const subscribe = transport.subscribe.bind(transport);
          transport.subscribe = (channel, handler) =>
            subscribe(channel, handler).catch(() => undefined);
          return transport;
        },
      });
    } else {
      this.signals = new PostgresCacheSignals(options.databaseUrl, {
        changed: (storeId, change) => {
          this.invalidations.inc({ origin: 'remote' });
          if (change) this.markChanged(subjectsOfChange(storeId, change));
          else this.markChanged([storeSubject(storeId)]);
        },
        listening: () => void this.signalsUp(),
        lost: () => this.signalsLost('the database listener'),
      });
      this.signals.start();
    }
    this.bento = new BentoCache({
      default: 'answers',
      prefix: 'dk:cache',
      ttl: TTL,
      grace: false,
      suppressL2Errors: true,
      stores: { answers: store },
    });
    this.bento.on('cache:hit', (hit: { layer?: string }) =>
      this.hits.inc({ level: hit.layer === 'l2' ? 'l2' : 'l1' }),
    );
    this.bento.on('cache:miss', () => this.misses.inc());
    this.bento.on('bus:message:received', (received: { message?: { keys?: string[] } }) => {
      this.invalidations.inc({ origin: 'remote' });
      // A change travels as the keys of its subjects' tags (`…___bc:t:p:<id>`, see `invalidate`).
      const subjects = (received.message?.keys ?? []).flatMap((key) => subjectOfTagKey(key) ?? []);
      this.markChanged(subjects);
    });
  }

  async answer<T extends object>(
    storeId: string,
    key: string,
    dependencies: CacheDependencies,
    compute: (entry: ComputedEntry) => Promise<T>,
    recorder?: ReadRecorder,
  ): Promise<T> {
    const cache = this.bento;
    const fullKey = keyOf(storeId, key);
    const read = () =>
      cache.getOrSet<Stored<T>>({
        key: fullKey,
        factory: async () => {
          // Before the read: a change committed meanwhile is later than this, and drops it.
          const at = Date.now();
          const subjects = subjectsOf(storeId, dependencies);
          const value = await compute({
            holds: (productIds) => subjects.push(...productIds.map(productSubject)),
          });
          return { value, subjects, at };
        },
        ttl: this.entryTtl(),
      });
    let stored = await read();
    if (this.changedSince(stored)) {
      // Something the entry shows changed after it was computed: drop it and read again.
      await cache.delete({ key: fullKey });
      stored = await read();
    }
    recorder?.add(stored.subjects);
    return stored.value;
  }

  async lookup<T extends object>(storeId: string, key: string): Promise<T | undefined> {
    // getOrSet with nothing to compute, not get: get counts a hit from Redis as one from memory.
    const stored = await this.bento.getOrSet<Stored<T> | undefined>({
      key: keyOf(storeId, key),
      factory: (found) => found.skip(),
    });
    return stored && !this.changedSince(stored) ? stored.value : undefined;
  }

  async keep(storeId: string, key: string, value: object, recorder: ReadRecorder): Promise<void> {
    if (recorder.uncached) return;
    const subjects = [storeSubject(storeId), ...recorder.subjects];
    const stored: Stored<object> = { value, subjects, at: recorder.startedAt };
    if (this.changedSince(stored)) return;
    await this.bento.set({ key: keyOf(storeId, key), value: stored, ttl: this.entryTtl() });
  }

  /**
   * Whether something an entry depends on changed after the entry was computed, or the entry is
   * older than what this process can vouch for (`signalledSince`). An entry's subjects are not
   * bentocache tags: each tag costs a full cache read on every hit (a 50-product page took 24% of
   * the CPU so), and a tag invalidation is ordered by when the entry was written, so a read that
   * started before a commit and was kept after its invalidation would live on, stale.
   */
  private changedSince(stored: Stored<unknown>): boolean {
    if (stored.at < this.signalledSince) return true;
    for (const subject of stored.subjects) {
      const changed = this.changedAt.get(subject);
      if (changed !== undefined && changed >= stored.at) return true;
    }
    return false;
  }

  async invalidate(storeId: string, change: CatalogChange): Promise<void> {
    this.invalidations.inc({ origin: 'local' });
    const subjects = subjectsOfChange(storeId, change);
    this.markChanged(subjects);
    // The other instances hear of it through bentocache's bus, which carries the keys of the
    // subjects' tags; no entry carries a tag. Without Redis, PostgreSQL carries the change.
    if (this.redis) await this.bento.deleteByTag({ tags: subjects });
    await this.signals?.publish(this.options.dataSource, storeId, change);
  }

  override async onModuleDestroy(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweep);
    await this.signals?.stop();
    this.redis?.disconnect();
    // The bus QUITs; with Redis away that waits for a reconnection that `closing` now refuses.
    await Promise.race([
      this.bento.disconnect().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 1_500).unref()),
    ]);
  }

  private markChanged(subjects: readonly string[]): void {
    const now = Date.now();
    for (const subject of subjects) this.changedAt.set(subject, now);
  }

  private entryTtl(): number {
    return this.signalled ? TTL : TTL_UNSIGNALLED;
  }

  private signalsLost(what: string): void {
    if (!this.signalled) return;
    this.signalled = false;
    this.fallbacks.inc();
    // Entries kept until now may have missed other processes' invalidations.
    this.lru.clear();
    this.options.logger.warn(
      `response cache: ${what} lost; other processes' changes go unheard, entries live 1 s in this process`,
    );
  }

  private async signalsUp(): Promise<void> {
    if (this.signalled) return;
    if (this.everSignalled && this.redis) {
      // Writes made while Redis was away could not delete their L2 entries: start afresh.
      await this.bento.clear().catch(() => undefined);
    }
    // What L1 holds was kept 1 s at most, but may have missed a signal: drop it.
    this.lru.clear();
    this.signalledSince = Date.now();
    this.signalled = true;
    if (this.everSignalled) this.options.logger.info('response cache: signals are back');
    this.everSignalled = true;
  }
}

/**
 * What an entry depends on, as the strings `changedAt` is keyed by: a product (`p:<id>`, ids are
 * unique across stores), which products a store has (`m:<store>`), anything in a store's
 * catalogue (`a:<store>`), and its store (`s:<store>`, for a change nobody could name).
 */
const productSubject = (productId: string) => `p:${productId}`;
const membershipSubject = (storeId: string) => `m:${storeId}`;
const anyChangeSubject = (storeId: string) => `a:${storeId}`;

/** Every entry of a store: dropped together when a change of the store cannot be named. */
const storeSubject = (storeId: string) => `s:${storeId}`;

/** The store's id first: no key another store's requests can form. */
const keyOf = (storeId: string, key: string) => `${storeId}:${key}`;

function subjectsOf(storeId: string, dependencies: CacheDependencies): string[] {
  const subjects = [storeSubject(storeId), ...(dependencies.products ?? []).map(productSubject)];
  if (dependencies.membership) subjects.push(membershipSubject(storeId));
  if (dependencies.anyChange) subjects.push(anyChangeSubject(storeId));
  return subjects;
}

/** The subjects a committed change changes: its products, the store's catalogue, maybe its membership. */
function subjectsOfChange(storeId: string, change: CatalogChange): string[] {
  const subjects = [anyChangeSubject(storeId), ...change.productIds.map(productSubject)];
  if (change.membership) subjects.push(membershipSubject(storeId));
  return subjects;
}

/** bentocache's prefix of a tag's key, which the bus carries whole (`dk:cache:store:…:___bc:t:`). */
const TAG_KEY_PREFIX = '___bc:t:';

/** The subject a tag's key names, if it is a tag's key. */
function subjectOfTagKey(key: string): string | undefined {
  const at = key.lastIndexOf(TAG_KEY_PREFIX);
  return at === -1 ? undefined : key.slice(at + TAG_KEY_PREFIX.length);
}

/** An entry as kept: the value, what it depends on, and when its computation started. */
interface Stored<T> {
  readonly value: T;
  readonly subjects: readonly string[];
  readonly at: number;
}

/**
 * bentocache's memory driver, keeping objects whatever it is given: an entry read from L2 is put
 * back in L1 serialised even with `serialize: false` (bentocache#111), and the next L1 read of it
 * would throw. The same lru-cache class is handed in; only its typings differ between the
 * CommonJS and ESM builds.
 */
class ObjectMemoryDriver extends MemoryDriver {
  override set(key: string, value: unknown, ttl?: number): boolean {
    return super.set(key, typeof value === 'string' ? JSON.parse(value) : value, ttl);
  }
}

/** What bentocache keeps in L1 (unserialised): an entry, or a tag's invalidation time. */
type L1Item = { readonly value?: unknown } | string;

/**
 * An entry's weight against CACHE_MEMORY_MB: an answer's strings, or a value's JSON length (once,
 * when it is kept), plus the objects around them.
 */
function sizeOfItem(item: L1Item): number {
  if (typeof item === 'string') return Math.max(1, item.length);
  const stored = item.value as Partial<Stored<unknown>> | undefined;
  const value = stored?.value;
  if (!value || typeof value !== 'object') return 64;
  const holds = 32 * (stored.subjects?.length ?? 0);
  if (isCachedAnswer(value))
    return 200 + holds + value.body.length + value.etag.length + (value.link?.length ?? 0);
  // Objects parsed from JSON weigh about twice their text.
  return 200 + holds + 2 * JSON.stringify(value).length;
}

function isCachedAnswer(value: object): value is CachedAnswer {
  return typeof (value as Partial<CachedAnswer>).body === 'string' && 'etag' in value;
}
