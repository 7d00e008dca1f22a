import type { Installation } from '../../../oauth/installations.service';
import { ActionForm } from '../../../web/components/forms';
import { Pagination } from '../../../web/components/pagination';
import {
  DeveloperLayout,
  type DeveloperPageProps,
  formatTime,
  type ListPaging,
} from './developer-layout';

/** The apps installed on the store, what each may do, and the button that ends its access. */
export function InstalledAppsPage(
  props: DeveloperPageProps & ListPaging & { installations: readonly Installation[] },
) {
  return (
    <DeveloperLayout {...props} title="Installed apps">
      {props.installations.length === 0 ? (
        <p>No apps installed. An app asks for your approval when you connect it to the store.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">Scopes</th>
              <th scope="col">Installed</th>
              <th scope="col">
                <span class="muted">Access</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.installations.map((installation) => (
              <tr id={installation.id}>
                <td>{installation.appName}</td>
                <td>{installation.scopes.join(', ')}</td>
                <td>{formatTime(installation.createdAt)}</td>
                <td>
                  <ActionForm
                    action={`/admin/developers/apps/${installation.id}/uninstall`}
                    csrf={props.csrf}
                    label="Uninstall"
                    variant="secondary"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pagination
        path="/admin/developers/apps"
        nextCursor={props.nextCursor}
        atCursor={props.atCursor}
      />
    </DeveloperLayout>
  );
}
