import type { SyncConflict } from '../../../sync/sync-conflicts.service';
import { ActionForm } from '../../../web/components/forms';
import { Pagination } from '../../../web/components/pagination';
import {
  DeveloperLayout,
  type DeveloperPageProps,
  formatTime,
  type ListPaging,
} from './developer-layout';

const RESOLUTIONS: Record<string, string> = {
  self_hosted_kept: 'The self-hosted change was kept',
  platform_kept: 'The platform’s version was kept',
};

/**
 * A self-hosted store's sync conflicts: a change pushed while the platform's copy changed too.
 * Each open one is settled by keeping one side; settled ones show how.
 */
export function SyncConflictsPage(
  props: DeveloperPageProps & ListPaging & { conflicts: readonly SyncConflict[] },
) {
  return (
    <DeveloperLayout {...props} title="Sync conflicts">
      {props.conflicts.length === 0 ? (
        <p>No sync conflicts: both copies of the store agree.</p>
      ) : (
        props.conflicts.map((conflict) => (
          <article id={conflict.id}>
            <header>
              <strong>
                {conflict.resource} {conflict.externalId}
              </strong>{' '}
              <span class={`badge ${conflict.status === 'open' ? 'warn' : 'ok'}`}>
                {conflict.status}
              </span>{' '}
              <small class="muted">{formatTime(conflict.createdAt)}</small>
            </header>
            <p>
              Fields: {conflict.fields.join(', ') || '—'}
              {conflict.incomingDeleted && ' (deleted on the self-hosted copy)'}
            </p>
            {conflict.status === 'open' ? (
              <div class="actions">
                <ActionForm
                  action={`/admin/developers/sync-conflicts/${conflict.id}/resolve`}
                  csrf={props.csrf}
                  label="Keep self-hosted"
                >
                  <input type="hidden" name="keep" value="self_hosted" />
                </ActionForm>
                <ActionForm
                  action={`/admin/developers/sync-conflicts/${conflict.id}/resolve`}
                  csrf={props.csrf}
                  label="Keep platform"
                  variant="secondary"
                >
                  <input type="hidden" name="keep" value="platform" />
                </ActionForm>
              </div>
            ) : (
              <p>
                {RESOLUTIONS[conflict.resolution ?? ''] ?? conflict.resolution} (
                {formatTime(conflict.resolvedAt)})
              </p>
            )}
          </article>
        ))
      )}
      <Pagination
        path="/admin/developers/sync-conflicts"
        nextCursor={props.nextCursor}
        atCursor={props.atCursor}
      />
    </DeveloperLayout>
  );
}
