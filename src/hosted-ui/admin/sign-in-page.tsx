import type { HostedStore } from '../../platform/stores.service';
import { Document } from '../../web/components/document';
import { CsrfField, Field, FormErrors } from '../../web/components/forms';

export function SignInPage(props: {
  store: HostedStore;
  csrf: string;
  next: string;
  email?: string;
  error?: string;
}) {
  return (
    <Document title="Sign in" site={`${props.store.name} admin`}>
      <main class="container">
        <article>
          <header>
            <h1>Sign in to {props.store.name}</h1>
            <p class="muted">With your staff account for this store.</p>
          </header>
          <FormErrors message={props.error} />
          <form
            method="post"
            action={`/admin/sign-in?${new URLSearchParams({ next: props.next })}`}
          >
            <CsrfField token={props.csrf} />
            <Field
              label="Email"
              name="email"
              type="email"
              autocomplete="username"
              required
              value={props.email}
              autofocus={!props.email}
            />
            <Field
              label="Password"
              name="password"
              type="password"
              autocomplete="current-password"
              required
              autofocus={!!props.email}
            />
            <button type="submit">Sign in</button>
          </form>
        </article>
      </main>
    </Document>
  );
}
