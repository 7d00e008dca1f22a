import type { ComponentChildren } from 'preact';
import { isScope, SCOPE_DESCRIPTIONS } from '../common/scopes';
import { Document } from '../web/components/document';
import { CsrfField, Field, FormErrors } from '../web/components/forms';
import type { AuthorizationRequest } from './authorization-request';
import type { StaffMembership } from './staff-sessions';

/** The platform's pages (not a store's): one card in the middle of the page. */
function PlatformPage(props: { title: string; children: ComponentChildren }) {
  return (
    <Document title={props.title} site="Dukkadee">
      <main class="container">
        <article>{props.children}</article>
      </main>
    </Document>
  );
}

export function SignInPage(props: {
  appName: string;
  query: string;
  csrf: string;
  email?: string;
  error?: string;
}) {
  return (
    <PlatformPage title="Sign in">
      <header>
        <h1>Sign in to continue to {props.appName}</h1>
        <p class="muted">Sign in with your store staff account.</p>
      </header>
      <FormErrors message={props.error} />
      <form method="post" action={`/oauth/sign-in?${props.query}`}>
        <CsrfField token={props.csrf} />
        <Field
          label="Email"
          name="email"
          id="email"
          type="email"
          autocomplete="username"
          required
          value={props.email}
          autofocus={!props.email}
        />
        <Field
          label="Password"
          name="password"
          id="password"
          type="password"
          autocomplete="current-password"
          required
          autofocus={!!props.email}
        />
        <button type="submit">Sign in</button>
      </form>
    </PlatformPage>
  );
}

export function ConsentPage(props: {
  request: AuthorizationRequest;
  stores: readonly StaffMembership[];
  csrf: string;
  email: string;
}) {
  const { request, stores } = props;
  return (
    <PlatformPage title="Approve access">
      <h1>{request.client.name} wants access to your store</h1>
      <form method="post" action="/oauth/authorize">
        {Object.entries(request.parameters).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <CsrfField token={props.csrf} />
        {stores.length === 1 ? (
          <>
            <p>
              Store: <strong>{stores[0].storeName}</strong> ({stores[0].storeHandle})
            </p>
            <input type="hidden" name="store_id" value={stores[0].storeId} />
          </>
        ) : (
          <label for="store_id">
            Store
            <select id="store_id" name="store_id">
              {stores.map((store) => (
                <option value={store.storeId}>
                  {store.storeName} ({store.storeHandle})
                </option>
              ))}
            </select>
          </label>
        )}
        <p>It will be able to:</p>
        <ul id="scopes">
          {request.scopes.map((scope) => (
            <li>
              {isScope(scope) ? SCOPE_DESCRIPTIONS[scope] : scope} <small>({scope})</small>
            </li>
          ))}
        </ul>
        <p>
          <small>Signed in as {props.email}. You can uninstall the app at any time.</small>
        </p>
        <div class="actions">
          <button type="submit" name="decision" value="approve">
            Approve
          </button>
          <button type="submit" name="decision" value="deny" class="secondary">
            Deny
          </button>
        </div>
      </form>
    </PlatformPage>
  );
}

export function ErrorPage(props: { title: string; message: string }) {
  return (
    <PlatformPage title={props.title}>
      <h1>{props.title}</h1>
      <p class="notice error">{props.message}</p>
    </PlatformPage>
  );
}

export function NoStorePage(props: { email: string }) {
  return (
    <ErrorPage
      title="No store to install on"
      message={`${props.email} is not a staff member of a store this app can be installed on.`}
    />
  );
}
