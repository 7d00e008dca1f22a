import { SCOPES } from '../common/scopes';
import { newId } from '../common/ids';
import { RequestContext } from '../common/request-context';
import type { StoreEntity } from '../platform/store.entity';
import { StoresService } from '../platform/stores.service';

/** The store the agent syncs, in the instance's own database. */
export class LocalStore {
  constructor(
    readonly id: string,
    readonly handle: string,
  ) {}

  /**
   * A fresh context for one unit of the agent's work on the store. Fresh each time: a context
   * carries its open transaction, and the push and pull sides run concurrently.
   */
  context(): RequestContext {
    return RequestContext.system(this.id, newId('req'), SCOPES);
  }
}

export class StoreNotFound extends Error {}

/** The only store of the database, or the one `handle` names. */
export async function findLocalStore(
  stores: StoresService,
  handle: string | undefined,
): Promise<LocalStore> {
  const platform = RequestContext.system(null, newId('req'));
  const all: StoreEntity[] = [];
  let cursor: string | undefined;
  do {
    const page = await stores.list(platform, { limit: 250, cursor });
    all.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const store = handle === undefined ? all[0] : all.find((each) => each.handle === handle);
  if (handle === undefined && all.length > 1)
    throw new StoreNotFound(
      `This database holds ${all.length} stores; name the one to sync with --store <handle> (${all
        .map((each) => each.handle)
        .join(', ')}).`,
    );
  if (!store)
    throw new StoreNotFound(
      handle === undefined
        ? 'This database holds no store to sync; create it first (npm run cli -- stores create).'
        : `No store with the handle "${handle}" in this database.`,
    );
  return new LocalStore(store.id, store.handle);
}
