import { isScope, SCOPE_DESCRIPTIONS } from '../common/scopes';
import type { AuthorizationRequest } from './authorization-request';
import type { StaffMembership } from './staff-sessions';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Dukkadee</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;background:#f5f5f4;color:#1c1917;margin:0}
main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:.75rem;box-shadow:0 1px 3px #0002}
h1{font-size:1.25rem;margin:0 0 1rem}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input,select{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #a8a29e;border-radius:.375rem}
button{font:inherit;padding:.5rem 1rem;border-radius:.375rem;border:1px solid #1c1917;margin-top:1rem;cursor:pointer}
button.primary{background:#1c1917;color:#fff}.error{color:#b91c1c}ul{padding-left:1.25rem}
small{color:#57534e}
</style></head><body><main>${body}</main></body></html>`;
}

function hiddenFields(fields: Readonly<Record<string, string>>): string {
  return Object.entries(fields)
    .map(
      ([name, value]) =>
        `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`,
    )
    .join('');
}

export function signInPage(options: {
  appName: string;
  query: string;
  csrfToken: string;
  email?: string;
  error?: string;
}): string {
  return layout(
    'Sign in',
    `<h1>Sign in to continue to ${escapeHtml(options.appName)}</h1>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="/oauth/sign-in?${escapeHtml(options.query)}">
<input type="hidden" name="_csrf" value="${escapeHtml(options.csrfToken)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(options.email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button class="primary" type="submit">Sign in</button>
</form>
<p><small>Sign in with your store staff account.</small></p>`,
  );
}

export function consentPage(options: {
  request: AuthorizationRequest;
  stores: readonly StaffMembership[];
  csrfToken: string;
  email: string;
}): string {
  const { request, stores } = options;
  const storeField =
    stores.length === 1
      ? `<p>Store: <strong>${escapeHtml(stores[0].storeName)}</strong> (${escapeHtml(stores[0].storeHandle)})</p>
<input type="hidden" name="store_id" value="${escapeHtml(stores[0].storeId)}">`
      : `<label for="store_id">Store</label><select id="store_id" name="store_id">${stores
          .map(
            (store) =>
              `<option value="${escapeHtml(store.storeId)}">${escapeHtml(store.storeName)} (${escapeHtml(store.storeHandle)})</option>`,
          )
          .join('')}</select>`;
  const scopes = request.scopes
    .map(
      (scope) =>
        `<li>${escapeHtml(isScope(scope) ? SCOPE_DESCRIPTIONS[scope] : scope)} <small>(${escapeHtml(scope)})</small></li>`,
    )
    .join('');
  return layout(
    'Approve access',
    `<h1>${escapeHtml(request.client.name)} wants access to your store</h1>
<form method="post" action="/oauth/authorize">
${hiddenFields({ ...request.parameters, _csrf: options.csrfToken })}
${storeField}
<p>It will be able to:</p><ul id="scopes">${scopes}</ul>
<p><small>Signed in as ${escapeHtml(options.email)}. You can uninstall the app at any time.</small></p>
<button class="primary" type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

export function errorPage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1><p class="error">${escapeHtml(message)}</p>`);
}

export function noStorePage(email: string): string {
  return errorPage(
    'No store to install on',
    `${email} is not a staff member of a store this app can be installed on.`,
  );
}
