import type { ComponentChildren } from 'preact';
import type { HostedStore } from '../../platform/stores.service';
import { Document } from '../../web/components/document';

/** Every storefront page: the store's name home, the cart with its item count, then the page. */
export function StorefrontLayout(props: {
  store: HostedStore;
  cartCount: number;
  title: string;
  children: ComponentChildren;
}) {
  return (
    <Document title={props.title} site={props.store.name}>
      <header class="container">
        <nav aria-label="Store">
          <ul>
            <li>
              <a class="brand" href="/">
                <strong>{props.store.name}</strong>
              </a>
            </li>
          </ul>
          <ul>
            <li>
              <a href="/cart">
                Cart <span class="badge">{props.cartCount}</span>
                <span class="muted"> {props.cartCount === 1 ? 'item' : 'items'}</span>
              </a>
            </li>
          </ul>
        </nav>
      </header>
      <main class="container">{props.children}</main>
      <footer class="container muted">
        <small>{props.store.name} · Powered by Dukkadee</small>
      </footer>
    </Document>
  );
}
