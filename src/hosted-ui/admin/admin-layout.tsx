import type { ComponentChildren } from 'preact';
import type { RequestContext } from '../../common/request-context';
import type { HostedStore } from '../../platform/stores.service';
import { Document } from '../../web/components/document';
import { ActionForm } from '../../web/components/forms';
import { isOwner } from './admin-session.guard';

/** The admin's sections, in the order the navigation shows them. */
const SECTIONS = [
  { path: '/admin', label: 'Dashboard' },
  { path: '/admin/products', label: 'Products' },
  { path: '/admin/orders', label: 'Orders' },
  { path: '/admin/customers', label: 'Customers' },
  { path: '/admin/inventory', label: 'Inventory' },
  { path: '/admin/developers', label: 'Developers', ownerOnly: true },
] as const;

export interface AdminPageProps {
  store: HostedStore;
  staff: RequestContext;
  /** A token for the sign-out form (and any other form of the page). */
  csrf: string;
  title: string;
  /** The section the page belongs to, highlighted in the navigation. */
  section: (typeof SECTIONS)[number]['path'];
  children: ComponentChildren;
}

/** Every signed-in admin page: the store's name, the sections, sign-out, then the page. */
export function AdminLayout(props: AdminPageProps) {
  return (
    <Document title={props.title} site={`${props.store.name} admin`}>
      <header class="container">
        <nav aria-label="Admin">
          <ul>
            <li>
              <a class="brand" href="/admin">
                {props.store.name}
              </a>
            </li>
          </ul>
          <ul>
            {SECTIONS.filter((section) => !('ownerOnly' in section) || isOwner(props.staff)).map(
              (section) => (
                <li>
                  <a
                    href={section.path}
                    aria-current={section.path === props.section ? 'page' : undefined}
                  >
                    {section.label}
                  </a>
                </li>
              ),
            )}
            <li>
              <ActionForm
                action="/admin/sign-out"
                csrf={props.csrf}
                label="Sign out"
                variant="outline"
              />
            </li>
          </ul>
        </nav>
      </header>
      <main class="container">{props.children}</main>
      <footer class="container muted">
        <small>
          <a href="/">View the storefront</a> · Dukkadee
        </small>
      </footer>
    </Document>
  );
}
