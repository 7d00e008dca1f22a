import { Injectable } from '@nestjs/common';
import { errors } from 'bentocache';
import type { RequestContext } from '../common/request-context';
import { CredentialFreshness } from '../database/credential-freshness';
import { TransactionalConnection } from '../database/transactional-connection';
import {
  type CacheDependencies,
  type ComputedEntry,
  ReadRecorder,
  ResponseCache,
} from './response-cache';

/**
 * A read served from the response cache on behalf of a request context: the one path that REST's
 * cached answers, GraphQL's product fields and the storefront's product data take, so they share
 * the store's namespace, the API version in the key, the invalidations and the credential rule.
 *
 * A hit runs no transaction, so nothing re-checks the credential there: the credential caches
 * vouch for it while their last check is current (CredentialFreshness), and otherwise the hit
 * checks for itself. A miss runs `compute`, whose transaction checks as every read does.
 */
interface Flight<T> {
  readonly value: T;
  /** Whether this flight computed the value (a miss), rather than finding it (a hit). */
  readonly computed: boolean;
  /**
   * What the entry read depends on, for the recorders of the requests that shared it; only when
   * the request that led the flight recorded its reads (a GraphQL operation), so a REST or
   * storefront read allocates nothing for it.
   */
  readonly read?: ReadRecorder;
}

@Injectable()
export class CachedReads {
  constructor(
    private readonly cache: ResponseCache,
    private readonly connection: TransactionalConnection,
    private readonly freshness: CredentialFreshness,
  ) {}

  async read<T extends object>(
    ctx: RequestContext,
    key: string,
    dependencies: CacheDependencies,
    compute: (entry: ComputedEntry) => Promise<T>,
    recorder?: ReadRecorder,
  ): Promise<T> {
    const storeId = ctx.storeId;
    if (!storeId) {
      if (recorder) recorder.uncached = true;
      return compute({ holds: () => undefined });
    }
    const fullKey = `${ctx.apiVersion} ${key}`;
    const flightKey = `${storeId} ${fullKey}`;
    let flight = this.inFlight.get(flightKey) as Promise<Flight<T>> | undefined;
    const leads = flight === undefined;
    if (!flight) {
      flight = this.fly(storeId, fullKey, dependencies, compute, recorder !== undefined);
      this.inFlight.set(flightKey, flight);
      void flight.finally(() => this.inFlight.delete(flightKey)).catch(() => undefined);
    }
    const { value, computed, read } = await flight.catch((error: unknown) => {
      // What failed (a product not found) was not kept: neither is an answer made with it.
      if (recorder) recorder.uncached = true;
      throw error;
    });
    if (recorder) {
      // Joined a flight that recorded nothing: this answer cannot be kept whole (rare, and safe).
      if (!read) recorder.uncached = true;
      else {
        recorder.add(read.subjects);
        recorder.uncached ||= read.uncached;
      }
    }
    // A request that joined another's computation ran no transaction of its own either.
    if (!leads || !computed) await this.vouchForCredential(ctx);
    return value;
  }

  /**
   * A whole answer made of cached reads (a GraphQL operation), kept by `keep`: found without any
   * of its reads, and so without a transaction.
   */
  async lookup<T extends object>(ctx: RequestContext, key: string): Promise<T | undefined> {
    if (!ctx.storeId) return undefined;
    const found = await this.cache.lookup<T>(ctx.storeId, `${ctx.apiVersion} ${key}`);
    if (found) await this.vouchForCredential(ctx);
    return found;
  }

  /** Keeps a whole answer made of the reads `recorder` saw, for `lookup`. */
  async keep(ctx: RequestContext, key: string, value: object, recorder: ReadRecorder) {
    if (ctx.storeId)
      await this.cache.keep(ctx.storeId, `${ctx.apiVersion} ${key}`, value, recorder);
  }

  private async vouchForCredential(ctx: RequestContext): Promise<void> {
    if (!this.freshness.isCurrent()) await this.connection.verifyCredential(ctx);
  }

  /**
   * Requests for the same entry while it is being read share that read (single flight), its
   * answer or its error. bentocache would queue them behind one lock and, when the read fails
   * (a store locked or busy), run each one's read in turn: the last one's 503 would come after
   * all the others' waits.
   */
  private readonly inFlight = new Map<string, Promise<Flight<unknown>>>();

  private async fly<T extends object>(
    storeId: string,
    key: string,
    dependencies: CacheDependencies,
    compute: (entry: ComputedEntry) => Promise<T>,
    recorded: boolean,
  ): Promise<Flight<T>> {
    let computed = false;
    const read = recorded ? new ReadRecorder() : undefined;
    const value = await this.cache
      .answer(
        storeId,
        key,
        dependencies,
        (entry) => {
          computed = true;
          return compute(entry);
        },
        read,
      )
      // bentocache wraps what the computation threw (a 404, a bad cursor): rethrow that.
      .catch((error: unknown) => {
        throw error instanceof errors.E_FACTORY_ERROR ? error.cause : error;
      });
    return { value, computed, read };
  }
}
