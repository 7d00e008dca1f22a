import { DomainError } from '../common/errors/domain-error';
import type { RequestContext } from '../common/request-context';
import { EventLog } from '../events/event-log.service';
import { SyncHandlers } from '../sync/sync-handlers';
import type { PushResult } from '../sync/sync-push.service';
import {
  coveredBy,
  fieldsToWrite,
  pathName,
  threeWayMerge,
  valueAt,
  withValueAt,
} from '../sync/three-way-merge';
import type { PushChange } from './platform-client';

export interface Adoption {
  /** The local resource holds the platform's values now (the fields of an open conflict aside). */
  readonly complete: boolean;
  /** The paths taken over from the platform (`description`, `variants[MUG].price`). */
  readonly fields: string[];
  /** Why the local store refused them, when it did. */
  readonly refused?: DomainError;
}

/**
 * Takes the platform's values of a pushed resource into the self-hosted store after the push met
 * a concurrent edit (the result carries `data`): what only the platform changed, which the merge
 * kept, and what its policy kept of the fields both sides changed. Without this, the next push,
 * based on the platform's new version, would read the old local values as local changes and
 * undo the platform's.
 *
 * A three-way merge again, on this side: the base is what was pushed, the incoming side the
 * platform's result, the current side the local resource now. A field edited locally since the
 * push was built stays as it is (the next push carries it); so do the fields of an open conflict,
 * which a person decides on the platform. Written through the local services, so the local
 * events and webhooks follow; the write is itself pushed next, and the platform finds it
 * `unchanged`.
 */
export class PlatformValues {
  constructor(
    private readonly handlers: SyncHandlers,
    private readonly events: EventLog,
  ) {}

  async adopt(ctx: RequestContext, item: PushChange, result: PushResult): Promise<Adoption> {
    const done: Adoption = { complete: true, fields: [] };
    if (!result.data || item.deleted || item.resource === 'inventory') return done;
    const handler = this.handlers.of(item.resource);
    // Deleted here since the push was built: that deletion is pushed next.
    const local = await handler.find(ctx, item.externalId, item.externalId);
    if (!local) return done;
    const { shape } = handler;
    const merge = threeWayMerge(
      {
        base: handler.fieldsOf(item.data),
        incoming: handler.fieldsOf(result.data),
        current: local.fields,
      },
      shape,
      () => 'open',
    );
    const waiting = new Set(
      result.conflict && !result.conflict.resolution ? result.conflict.fields : [],
    );
    const target = merge.incomingOnly
      .filter((path) => coveredBy(path, waiting))
      .reduce(
        (fields, path) => withValueAt(fields, path, valueAt(local.fields, path, shape), shape),
        merge.merged,
      );
    const complete = merge.both.length === 0;
    const writes = fieldsToWrite(target, local.fields, shape);
    if (writes.length === 0) return { complete, fields: [] };
    try {
      await this.events.savepoint(ctx, () =>
        handler.update(
          ctx,
          local,
          Object.fromEntries(writes.map((name) => [name, target[name]])),
          result.data!,
        ),
      );
    } catch (error) {
      // Edited here meanwhile (version_conflict), or a value this store refuses (a handle taken).
      if (!(error instanceof DomainError) || error.status >= 500) throw error;
      return { complete: false, fields: [], refused: error };
    }
    return {
      complete,
      fields: merge.incomingOnly.filter((path) => !coveredBy(path, waiting)).map(pathName),
    };
  }
}
