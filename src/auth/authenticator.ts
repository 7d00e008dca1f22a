import { Injectable } from '@nestjs/common';
import passport from 'passport';
import { invalidCredential, missingCredential } from '../common/errors/credential-errors';
import type { RequestContext } from '../common/request-context';
import { assertUsableFrom } from './browser-credentials';
import type { CredentialRequest } from './credential-request';

/** The strategy names of auth's own credentials. */
export const PLATFORM_ADMIN_STRATEGY = 'platform-admin';
export const API_KEY_STRATEGY = 'api-key';

/**
 * Runs Passport strategies on a transport-neutral CredentialRequest and answers the request
 * context of the first that accepts it. The credential guard (REST and GraphQL) and the graphql-ws
 * `connection_init` both call it, so every transport authenticates with the same strategies.
 *
 * Each application has its own Passport instance, not passport's global one: two applications in
 * one process (the test suites, a self-hosted instance beside the platform) must never serve each
 * other's requests with strategies bound to another database.
 */
@Injectable()
export class Authenticator {
  private readonly passport: passport.Authenticator = new passport.Passport();
  /**
   * Most requests carry an API key, so its strategy goes first; each strategy refuses a token of
   * another shape without a lookup (a key's checksum, an access token's prefix). The admin token,
   * rare and checked by hashing it, goes last.
   */
  private readonly apiStrategies: string[] = [API_KEY_STRATEGY, PLATFORM_ADMIN_STRATEGY];
  private readonly middlewares = new Map<string, PassportMiddleware>();

  /** Called by every strategy as it is constructed (see CONSTRUCTION_ONLY_PASSPORT). */
  use(name: string, strategy: object): void {
    this.passport.use(name, strategy as passport.Strategy);
  }

  /** A module adds a bearer credential the API accepts (oauth adds its access tokens). */
  acceptOnApi(name: string): void {
    if (!this.apiStrategies.includes(name))
      this.apiStrategies.splice(this.apiStrategies.indexOf(PLATFORM_ADMIN_STRATEGY), 0, name);
  }

  /**
   * The API's credentials: a bearer token of any kind the API accepts. API keys and the admin
   * token are refused from web pages of other origins (browser-credentials.ts).
   */
  async authenticateApi(request: CredentialRequest): Promise<RequestContext> {
    const context = await this.authenticate(request, this.apiStrategies);
    assertUsableFrom(context, request.fromAnotherOrigin);
    return context;
  }

  /** The first of the named strategies that accepts the request; `unauthenticated` if none. */
  authenticate(request: CredentialRequest, strategies: readonly string[]): Promise<RequestContext> {
    const middleware = this.middlewareFor(strategies);
    return new Promise((resolve, reject) => {
      middleware(request, DISCARDED_RESPONSE, (error) => {
        if (request.context) resolve(request.context);
        else if (error !== undefined && !isPassportRefusal(error)) reject(error);
        else
          reject(request.authorization === undefined ? missingCredential() : invalidCredential());
      });
    });
  }

  /**
   * Passport's middleware for a list of strategies, built once rather than per request: with a
   * per-request callback, each request would allocate the middleware and its closures again. The
   * accepted context lands on `request.context` (assignProperty) and a refusal reaches `next` as
   * an error (failWithError), so the one middleware serves every request.
   */
  private middlewareFor(strategies: readonly string[]): PassportMiddleware {
    const key = strategies.join(',');
    let middleware = this.middlewares.get(key);
    if (!middleware) {
      middleware = this.passport.authenticate([...strategies], {
        session: false,
        assignProperty: 'context',
        failWithError: true,
        authInfo: false,
      }) as PassportMiddleware;
      this.middlewares.set(key, middleware);
    }
    return middleware;
  }
}

type PassportMiddleware = (
  request: CredentialRequest,
  response: typeof DISCARDED_RESPONSE,
  next: (error?: unknown) => void,
) => void;

/**
 * What Passport writes a refusal to. The transports answer refusals themselves (401 with their
 * own WWW-Authenticate, a GraphQL error, a close code), so what Passport sets here is dropped.
 */
const DISCARDED_RESPONSE = {
  statusCode: 0,
  setHeader(): void {},
  end(): void {},
};

/** Passport's own "no strategy accepted it" (failWithError), as opposed to a strategy's error. */
function isPassportRefusal(error: unknown): boolean {
  return error instanceof Error && error.name === 'AuthenticationError';
}
