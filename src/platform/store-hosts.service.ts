import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { StoreHostChanges } from './store-host-changes';
import { HostedStore, StoresService } from './stores.service';

/** Hosts remembered at once; a host naming no store is remembered too, so probing costs little. */
const MAX_HOSTS = 10_000;
/**
 * How long a host's answer is kept. Changes made on this instance (a domain added or removed, a
 * store suspended) forget the affected entries at once through `forget`; the time bounds how long
 * another instance may go on serving the old answer.
 */
const HOST_TTL_MS = 5_000;

/**
 * Which store a hosted page's `Host` names, from an in-process cache: a page costs no lookup of
 * its own once its host has been seen.
 */
@Injectable()
export class StoreHostsService {
  private readonly cache = new LRUCache<string, { store: HostedStore | null }>({
    max: MAX_HOSTS,
    ttl: HOST_TTL_MS,
  });
  private readonly baseDomain: string;

  constructor(
    private readonly stores: StoresService,
    @Inject(APP_CONFIG) config: AppConfig,
    changes: StoreHostChanges,
  ) {
    this.baseDomain = config.baseDomain;
    changes.listen(() => this.forget());
  }

  /** The active store the host names, or undefined (the unknown-host 404). */
  async resolve(host: string | undefined, requestId: string): Promise<HostedStore | undefined> {
    if (!host) return undefined;
    const key = host.toLowerCase();
    const cached = this.cache.get(key);
    if (cached) return cached.store ?? undefined;
    const store = await this.stores.findActiveByHost(
      RequestContext.system(null, requestId),
      key,
      this.baseDomain,
    );
    this.cache.set(key, { store: store ?? null });
    return store;
  }

  /** Forgets every host: a store's hosts or status changed. */
  forget(): void {
    this.cache.clear();
  }
}
