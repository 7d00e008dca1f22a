import type { Scope } from './scopes';
import { DomainError } from './errors/domain-error';

export type ActorType = 'api_key' | 'oauth_app' | 'staff' | 'platform_admin' | 'system';

export interface Actor {
  readonly type: ActorType;
  /** The credential's id (`key_…`, `app_…`, `staff_…`); never a secret. */
  readonly id: string;
  /** For an OAuth app, the access token (`tok_…`) it presented; its validity is re-checked. */
  readonly tokenId?: string;
}

/**
 * The id whose revocation ends this actor's access, re-checked by every store transaction and
 * by long-lived streams: the API key, or the OAuth access token. None for the platform itself.
 */
export function revocableCredentialId(actor: Actor): string | undefined {
  if (actor.type === 'api_key') return actor.id;
  if (actor.type === 'oauth_app') return actor.tokenId;
  return undefined;
}

export interface SerializedRequestContext {
  readonly requestId: string;
  readonly storeId: string | null;
  readonly actor: Actor;
  readonly scopes: readonly Scope[];
  readonly apiVersion: string;
}

/**
 * Who is asking, for which store, with which scopes. Every service method takes it first; it is
 * immutable and serialisable so a job or webhook worker can rebuild it from its JSON form.
 */
export class RequestContext {
  readonly scopes: ReadonlySet<Scope>;

  constructor(
    readonly requestId: string,
    readonly storeId: string | null,
    readonly actor: Actor,
    scopes: Iterable<Scope>,
    readonly apiVersion = 'v1',
  ) {
    this.scopes = new Set(scopes);
    Object.freeze(this);
  }

  static fromJSON(json: SerializedRequestContext): RequestContext {
    return new RequestContext(
      json.requestId,
      json.storeId,
      json.actor,
      json.scopes,
      json.apiVersion,
    );
  }

  /** A context for work the platform does for a store on its own behalf (onboarding, jobs). */
  static system(
    storeId: string | null,
    requestId: string,
    scopes: Iterable<Scope> = [],
  ): RequestContext {
    return new RequestContext(requestId, storeId, { type: 'system', id: 'system' }, scopes);
  }

  /**
   * The same request as a new object: a transaction is bound to the copy its entry made, so only
   * the calls that entry hands it to join that transaction (see TransactionalConnection.run). A
   * shallow copy: the scopes set is shared, which its immutability allows.
   */
  copy(): RequestContext {
    return Object.freeze(Object.assign(Object.create(RequestContext.prototype), this));
  }

  hasScope(scope: Scope): boolean {
    return this.scopes.has(scope);
  }

  /** The store this context acts for; platform-level contexts have none and cannot reach store data. */
  requireStore(): string {
    if (!this.storeId)
      throw new DomainError('forbidden', 'This credential does not act for a store.');
    return this.storeId;
  }

  toJSON(): SerializedRequestContext {
    return {
      requestId: this.requestId,
      storeId: this.storeId,
      actor: this.actor,
      scopes: [...this.scopes],
      apiVersion: this.apiVersion,
    };
  }
}
