import type { RequestContext } from '../common/request-context';

/**
 * What a strategy may read of a request, whatever carried it: REST, GraphQL over HTTP, a
 * graphql-ws `connection_init`, or a hosted page with its cookie session. Each transport has a
 * small extractor that builds one; strategies never see a transport's own request object, so
 * one set of strategies serves them all.
 */
export class CredentialRequest {
  /** The same `Authorization` value where passport-http-bearer looks for it. */
  readonly headers: { readonly authorization?: string };
  /** Where Passport puts the context a strategy accepted (Authenticator's assignProperty). */
  context: RequestContext | undefined = undefined;
  /**
   * The helpers Passport's middleware attaches to every request it sees. Declared here so that
   * every CredentialRequest has one shape from construction, not one per property Passport adds.
   */
  login: unknown = undefined;
  logIn: unknown = undefined;
  logout: unknown = undefined;
  logOut: unknown = undefined;
  isAuthenticated: unknown = undefined;
  isUnauthenticated: unknown = undefined;
  _sessionManager: unknown = undefined;

  constructor(
    /** `Bearer <token>` for the API. */
    readonly authorization: string | undefined,
    readonly cookies: Readonly<Record<string, string | undefined>>,
    /** The `Host` the request addressed (with its port, if any): it names a hosted store. */
    readonly host: string | undefined,
    readonly requestId: string,
    /** A web page of another origin sent it (see browser-credentials.ts). */
    readonly fromAnotherOrigin = false,
  ) {
    this.headers = { authorization };
  }
}

export const NO_COOKIES: Readonly<Record<string, string | undefined>> = Object.freeze({});
