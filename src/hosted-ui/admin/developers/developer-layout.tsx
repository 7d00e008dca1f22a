import type { ComponentChildren } from 'preact';
import type { RequestContext } from '../../../common/request-context';
import type { HostedStore } from '../../../platform/stores.service';
import { AdminLayout } from '../admin-layout';

export interface DeveloperPageProps {
  store: HostedStore;
  staff: RequestContext;
  csrf: string;
}

/** Where a cursor-paged list is: the next page's cursor, and whether it was opened at one. */
export interface ListPaging {
  nextCursor: string | null;
  atCursor: boolean;
}

/** The `cursor` query parameter as one string (a repeated one is ignored: the first page). */
export function cursorOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The developer settings' sub-pages; sync conflicts exist only for a self-hosted store. */
export function developerSections(store: HostedStore) {
  return [
    { path: '/admin/developers/api-keys', label: 'API keys' },
    { path: '/admin/developers/webhooks', label: 'Webhooks' },
    { path: '/admin/developers/apps', label: 'Installed apps' },
    ...(store.hosting === 'self_hosted'
      ? [{ path: '/admin/developers/sync-conflicts', label: 'Sync conflicts' }]
      : []),
  ];
}

/** An admin page of the Developers section, with the way back to its overview. */
export function DeveloperLayout(
  props: DeveloperPageProps & { title: string; children: ComponentChildren },
) {
  return (
    <AdminLayout
      store={props.store}
      staff={props.staff}
      csrf={props.csrf}
      title={props.title}
      section="/admin/developers"
    >
      <nav aria-label="Breadcrumb">
        <ul>
          <li>
            <a href="/admin/developers">Developers</a>
          </li>
          <li>{props.title}</li>
        </ul>
      </nav>
      <h1>{props.title}</h1>
      {props.children}
    </AdminLayout>
  );
}

/** A secret shown this once (a new API key or webhook secret): never stored in clear. */
export function OneTimeSecret(props: { label: string; secret: string }) {
  return (
    <div class="notice" role="status">
      <p>
        <strong>{props.label}</strong> Copy it now: it will not be shown again.
      </p>
      <p>
        <code class="secret">{props.secret}</code>
      </p>
    </div>
  );
}

export function formatTime(value: Date | string | null): string {
  if (value === null) return '—';
  return new Date(value).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}
