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
  ): Promise<T>;

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
  ): Promise<T> {
    return compute({ holds: () => undefined });
  }

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
 * bentocache's bus over Redis so a write on one instance drops the entry from every other
 * instance's L1. Without Redis there is no L2, and the other processes on the database (the sync
 * agent, the CLI, more instances) signal their changes through PostgreSQL (postgres-cache-signals.ts).
 * Each store is a namespace of its own, so no key a request can name reaches another store's
 * entries, and clearing one store touches no other.
 *
 * Until the signals are up, and whenever they are lost (Redis down, the listening connection
 * gone), this instance empties its L1 and keeps entries 1 s. When Redis comes back the whole cache
 * is cleared once, L2 included, since writes made meanwhile could not delete their L2 entries.
 */
export class TieredResponseCache extends ResponseCache {
  private readonly bento: BentoCache<{ answers: ReturnType<typeof bentostore> }>;
  private readonly lru: LRUCache<string, L1Item>;
  /**
   * When each product last changed, as this process heard of it: what a page checks its products
   * against on a hit (see `answer`). A plain Map swept every minute of what is older than any
   * entry: an lru-cache sized for a million products would allocate its arrays up front.
   */
  private readonly changedAt = new Map<string, number>();
  private readonly sweep = setInterval(() => {
    const before = Date.now() - TTL - 60_000;
    for (const [productId, at] of this.changedAt) if (at < before) this.changedAt.delete(productId);
  }, 60_000).unref();
  private readonly redis?: Redis;
  /** bentocache builds a namespace object per call: one per store, kept while the store is read. */
  private readonly namespaces = new LRUCache<
    string,
    ReturnType<BentoCache<{ answers: ReturnType<typeof bentostore> }>['namespace']>
  >({ max: 10_000 });
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
      // The same lru-cache class; only its typings differ between the CommonJS and ESM builds.
      factory: (config: object) => new MemoryDriver({ ...config, cacheInstance: lru as never }),
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
          if (change) this.markChanged(change.productIds);
          void this.dropLocally(storeId, change);
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
      // A tag invalidation travels as the tag's key (`___bc:t:product:<id>`): mark the product.
      const now = Date.now();
      for (const key of received.message?.keys ?? []) {
        const product = productOfTagKey(key);
        if (product) this.changedAt.set(product, now);
      }
    });
  }

  async answer<T extends object>(
    storeId: string,
    key: string,
    dependencies: CacheDependencies,
    compute: (entry: ComputedEntry) => Promise<T>,
  ): Promise<T> {
    // Products are checked through `changedAt` (see changedSince), the two catalogue-wide
    // dependencies as bentocache tags.
    const tags: string[] = [];
    if (dependencies.membership) tags.push(MEMBERSHIP_TAG);
    if (dependencies.anyChange) tags.push(ANY_CHANGE_TAG);
    const cache = this.storeCache(storeId);
    const read = () =>
      cache.getOrSet<Stored<T>>({
        key,
        factory: async () => {
          // Before the read: a change committed meanwhile is later than this, and drops it.
          const at = Date.now();
          const holds: string[] = [...(dependencies.products ?? [])];
          const value = await compute({ holds: (productIds) => holds.push(...productIds) });
          return { value, holds, at };
        },
        ttl: this.signalled ? TTL : TTL_UNSIGNALLED,
        tags,
      });
    const stored = await read();
    if (!this.changedSince(stored)) return stored.value;
    // A product the entry shows changed after it was computed: drop it and read again.
    await cache.delete({ key });
    return (await read()).value;
  }

  /**
   * Whether a product an entry holds changed after the entry was computed. A page holds up to 250
   * products: as bentocache tags, each hit would check each tag through a full cache read (a 50
   * product page took 24% of the CPU there); here it is a Map lookup per product. The product
   * tags are still invalidated (dropLocally): that is how a change reaches the other instances
   * over bentocache's bus, which marks the product there too.
   */
  private changedSince(stored: Stored<unknown>): boolean {
    for (const productId of stored.holds) {
      const changed = this.changedAt.get(productId);
      if (changed !== undefined && changed >= stored.at) return true;
    }
    return false;
  }

  async invalidate(storeId: string, change: CatalogChange): Promise<void> {
    this.invalidations.inc({ origin: 'local' });
    this.markChanged(change.productIds);
    // With Redis this reaches L2 and, through the bus, every other instance's L1.
    await this.dropLocally(storeId, change);
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

  private storeCache(storeId: string) {
    let cache = this.namespaces.get(storeId);
    if (!cache) {
      cache = this.bento.namespace(`store:${storeId}`);
      this.namespaces.set(storeId, cache);
    }
    return cache;
  }

  private markChanged(productIds: readonly string[]): void {
    const now = Date.now();
    for (const productId of productIds) this.changedAt.set(productId, now);
  }

  /** `undefined`: another process changed something of the store it could not name. */
  private async dropLocally(storeId: string, change: CatalogChange | undefined): Promise<void> {
    const cache = this.storeCache(storeId);
    if (change === undefined) return void (await cache.clear());
    const tags = [ANY_CHANGE_TAG, ...change.productIds.map(productTag)];
    if (change.membership) tags.push(MEMBERSHIP_TAG);
    await cache.deleteByTag({ tags });
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
    this.signalled = true;
    if (this.everSignalled) this.options.logger.info('response cache: signals are back');
    this.everSignalled = true;
  }
}

const PRODUCT_TAG = 'product:';
const MEMBERSHIP_TAG = 'membership';
const ANY_CHANGE_TAG = 'any';

/** An entry as kept: the value, the products it shows, and when its computation started. */
interface Stored<T> {
  readonly value: T;
  readonly holds: readonly string[];
  readonly at: number;
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
  const holds = 32 * (stored.holds?.length ?? 0);
  if (isCachedAnswer(value))
    return 200 + holds + value.body.length + value.etag.length + (value.link?.length ?? 0);
  // Objects parsed from JSON weigh about twice their text.
  return 200 + holds + 2 * JSON.stringify(value).length;
}

function isCachedAnswer(value: object): value is CachedAnswer {
  return typeof (value as Partial<CachedAnswer>).body === 'string' && 'etag' in value;
}

function productTag(productId: string): string {
  return `${PRODUCT_TAG}${productId}`;
}

/** The product a tag's key names (bentocache prefixes and namespaces it), if it is a product tag. */
function productOfTagKey(key: string): string | undefined {
  const at = key.lastIndexOf(PRODUCT_TAG);
  return at === -1 ? undefined : key.slice(at + PRODUCT_TAG.length);
}
