import { SCOPES } from '../../../common/scopes';
import type { ApiKeyWithLimits } from '../../../platform/api-keys.service';
import {
  ActionForm,
  Checkbox,
  CsrfField,
  Field,
  type FieldErrors,
  FormErrors,
} from '../../../web/components/forms';
import { Pagination } from '../../../web/components/pagination';
import {
  DeveloperLayout,
  type DeveloperPageProps,
  formatTime,
  type ListPaging,
  OneTimeSecret,
} from './developer-layout';

export interface ApiKeysPageProps extends DeveloperPageProps, ListPaging {
  keys: readonly ApiKeyWithLimits[];
  /** The key just created, in clear: on the answer to its creation only. */
  created?: { name: string; key: string };
  errors?: FieldErrors;
  values?: { name: string; scopes: readonly string[] };
}

/** The store's API keys (never their secret), revocation, and the form that creates one. */
export function ApiKeysPage(props: ApiKeysPageProps) {
  return (
    <DeveloperLayout {...props} title="API keys">
      {props.created && (
        <OneTimeSecret label={`Your new key “${props.created.name}”.`} secret={props.created.key} />
      )}
      {props.keys.length === 0 ? (
        <p>No API keys yet. Create one below for a script or an integration.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Scopes</th>
              <th scope="col">Last used</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {props.keys.map(({ apiKey }) => (
              <tr id={apiKey.id}>
                <td>{apiKey.name}</td>
                <td>
                  <code>{apiKey.prefix}…</code>
                </td>
                <td>{apiKey.scopes.join(', ')}</td>
                <td>{formatTime(apiKey.lastUsedAt)}</td>
                <td>
                  {apiKey.revokedAt ? (
                    <span class="badge bad">Revoked</span>
                  ) : (
                    <ActionForm
                      action={`/admin/developers/api-keys/${apiKey.id}/revoke`}
                      csrf={props.csrf}
                      label="Revoke"
                      variant="secondary"
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pagination
        path="/admin/developers/api-keys"
        nextCursor={props.nextCursor}
        atCursor={props.atCursor}
      />
      <h2>New key</h2>
      <FormErrors errors={props.errors} />
      <form method="post" action="/admin/developers/api-keys">
        <CsrfField token={props.csrf} />
        <Field
          label="Name"
          name="name"
          value={props.values?.name}
          error={props.errors?.name}
          maxLength={200}
          required
        />
        <fieldset aria-describedby={props.errors?.scopes ? 'scopes-error' : undefined}>
          <legend>Scopes</legend>
          {SCOPES.map((scope) => (
            <Checkbox
              label={scope}
              name="scopes"
              value={scope}
              checked={props.values?.scopes.includes(scope)}
            />
          ))}
          {props.errors?.scopes && (
            <small class="field-error" id="scopes-error">
              {props.errors.scopes}
            </small>
          )}
        </fieldset>
        <button type="submit">Create key</button>
      </form>
    </DeveloperLayout>
  );
}
