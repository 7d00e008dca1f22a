import type { OAuthClient } from './oauth-grants';

/** RFC 7636 §4.2: S256 of a verifier is 43 base64url characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** RFC 6749 Appendix A.5 (`state`: visible ASCII). */
const VSCHAR = /^[\x20-\x7e]+$/;
const MAX_STATE_LENGTH = 1024;

/** The parameters of `/oauth/authorize` (RFC 6749 §4.1.1, RFC 7636 §4.3). */
export const AUTHORIZATION_PARAMETERS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
] as const;

export interface AuthorizationRequest {
  readonly client: OAuthClient;
  readonly redirectUri: string;
  readonly state: string;
  readonly scopes: readonly string[];
  /** The request's parameters, one string each, to carry through the sign-in and consent forms. */
  readonly parameters: Readonly<Record<string, string>>;
}

/**
 * What to do with an authorization request, decided in RFC 6749 §4.1.2.1's order: until the
 * client and its redirect URI are known good, errors are shown to the user and never redirected
 * (an open redirector otherwise); after that, errors go back to the client with its `state`.
 */
export type AuthorizationRequestCheck =
  | { readonly outcome: 'valid'; readonly request: AuthorizationRequest }
  | { readonly outcome: 'show_error'; readonly message: string }
  | {
      readonly outcome: 'redirect_error';
      readonly redirectUri: string;
      readonly error: string;
      readonly description: string;
      readonly state?: string;
    };

export async function checkAuthorizationRequest(
  raw: Readonly<Record<string, unknown>>,
  findClient: (clientId: string) => Promise<OAuthClient | undefined>,
): Promise<AuthorizationRequestCheck> {
  const parameters: Record<string, string> = {};
  for (const name of AUTHORIZATION_PARAMETERS) {
    const value = raw[name];
    if (value === undefined || value === '') continue;
    // RFC 6749 §3.1: a parameter sent twice makes the request invalid.
    if (typeof value !== 'string' || value.includes('\0'))
      return { outcome: 'show_error', message: `The parameter ${name} is malformed or repeated.` };
    parameters[name] = value;
  }
  const clientId = parameters.client_id;
  if (!clientId) return { outcome: 'show_error', message: 'The request names no client_id.' };
  const client = await findClient(clientId);
  if (!client) return { outcome: 'show_error', message: 'No app has this client_id.' };

  const redirectUri = parameters.redirect_uri ?? soleRedirectUri(client);
  if (!redirectUri)
    return {
      outcome: 'show_error',
      message: 'This app registered several redirect URIs, so the request must name one.',
    };
  if (!client.redirectUris.includes(redirectUri))
    return {
      outcome: 'show_error',
      message: 'The redirect_uri is not one this app registered (they are matched exactly).',
    };
  parameters.redirect_uri = redirectUri;

  const state = parameters.state;
  const redirectError = (error: string, description: string): AuthorizationRequestCheck => ({
    outcome: 'redirect_error',
    redirectUri,
    error,
    description,
    state: state && VSCHAR.test(state) && state.length <= MAX_STATE_LENGTH ? state : undefined,
  });

  if (parameters.response_type !== 'code')
    return redirectError(
      parameters.response_type ? 'unsupported_response_type' : 'invalid_request',
      'Only response_type=code (the authorization code flow) is supported.',
    );
  if (!state) return redirectError('invalid_request', 'The state parameter is required.');
  if (!VSCHAR.test(state) || state.length > MAX_STATE_LENGTH)
    return redirectError('invalid_request', 'The state parameter is malformed.');

  const challenge = parameters.code_challenge;
  const method = parameters.code_challenge_method;
  if (challenge === undefined) {
    if (method !== undefined)
      return redirectError('invalid_request', 'code_challenge_method needs a code_challenge.');
    if (!client.confidential)
      return redirectError(
        'invalid_request',
        'Public apps must use PKCE: send code_challenge with code_challenge_method=S256.',
      );
  } else {
    if (method !== 'S256')
      return redirectError(
        'invalid_request',
        'code_challenge_method must be S256 (plain, or none, is not accepted).',
      );
    if (!S256_CHALLENGE.test(challenge))
      return redirectError('invalid_request', 'code_challenge is not an S256 challenge.');
  }

  const scopes = parameters.scope ? parameters.scope.split(' ') : [...client.scopes];
  const unknown = scopes.filter((scope) => !client.scopes.includes(scope));
  if (unknown.length > 0 || scopes.some((scope) => scope === ''))
    return redirectError(
      'invalid_scope',
      `This app may not request: ${unknown.join(', ') || 'an empty scope'}.`,
    );
  parameters.scope = [...new Set(scopes)].join(' ');

  return {
    outcome: 'valid',
    request: { client, redirectUri, state, scopes: [...new Set(scopes)], parameters },
  };
}

function soleRedirectUri(client: OAuthClient): string | undefined {
  return client.redirectUris.length === 1 ? client.redirectUris[0] : undefined;
}

/** The error redirect of RFC 6749 §4.1.2.1, with the issuer of RFC 9207. */
export function errorRedirect(
  check: Extract<AuthorizationRequestCheck, { outcome: 'redirect_error' }>,
  issuer: string,
): string {
  const url = new URL(check.redirectUri);
  url.searchParams.set('error', check.error);
  url.searchParams.set('error_description', check.description);
  if (check.state) url.searchParams.set('state', check.state);
  url.searchParams.set('iss', issuer);
  return url.toString();
}
