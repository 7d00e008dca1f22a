import basicAuth from 'basic-auth';
import type { OAuthClient, OAuthGrants } from './oauth-grants';

export type ClientAuthentication =
  | { readonly outcome: 'authenticated'; readonly client: OAuthClient }
  | { readonly outcome: 'failed'; readonly clientId?: string };

/**
 * Client authentication for `/oauth/revoke` and `/oauth/introspect` (the token endpoint's is the
 * library's): `client_secret_basic` or `client_secret_post`, exactly one of them, or, where
 * `allowPublic`, a public client naming itself with `client_id` alone (RFC 7009 §2.1).
 */
/**
 * The client id and secret of an `Authorization: Basic` header. RFC 6749 §2.3.1 has clients
 * form-encode both before joining them, so `_` may arrive as `%5F`: they are decoded here, which
 * leaves unencoded ones unchanged. Undefined for a header that is not valid Basic credentials.
 */
export function basicCredentials(
  authorization: string,
): { clientId: string; clientSecret: string } | undefined {
  const parsed = basicAuth.parse(authorization);
  if (!parsed) return undefined;
  try {
    return { clientId: formDecode(parsed.name), clientSecret: formDecode(parsed.pass) };
  } catch {
    return undefined; // a malformed %-sequence
  }
}

function formDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

export async function authenticateClient(
  grants: OAuthGrants,
  authorization: string | undefined,
  form: Readonly<Record<string, string>>,
  options: { allowPublic: boolean },
): Promise<ClientAuthentication> {
  const basic = authorization ? basicCredentials(authorization) : undefined;
  if (authorization && !basic) return { outcome: 'failed' };
  if (basic && (form.client_id !== undefined || form.client_secret !== undefined))
    return { outcome: 'failed', clientId: basic.clientId };
  const clientId = basic?.clientId ?? form.client_id;
  const secret = basic?.clientSecret ?? form.client_secret;
  if (!clientId) return { outcome: 'failed' };
  if (secret === undefined || secret === '') {
    const client = options.allowPublic ? await grants.client(clientId) : undefined;
    return client && !client.confidential
      ? { outcome: 'authenticated', client }
      : { outcome: 'failed', clientId };
  }
  const client = await grants.authenticateClient(clientId, secret);
  return client ? { outcome: 'authenticated', client } : { outcome: 'failed', clientId };
}
