import { Injectable } from '@nestjs/common';
import { RequestContext, revocableCredentialId } from '../common/request-context';
import { CredentialFreshness } from '../database/credential-freshness';
import { TransactionalConnection } from '../database/transactional-connection';

/**
 * Ends long-lived streams (GraphQL subscriptions) whose credential stops being valid. A request
 * re-checks its key in its own transaction, but a subscription makes no request after it starts:
 * the keys in use join the credentials `CredentialFreshness` checks every 400 ms (one statement
 * however many subscriptions and caches share them), and the streams of a key or OAuth token
 * revoked or expired, an app uninstalled, or a store suspended, are told to end.
 */
@Injectable()
export class CredentialWatch {
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(freshness: CredentialFreshness, connection: TransactionalConnection) {
    freshness.register(() => this.watchers.keys());
    connection.onRevokedCredential((credentialId) => {
      const callbacks = this.watchers.get(credentialId);
      this.watchers.delete(credentialId);
      for (const callback of callbacks ?? []) callback();
    });
  }

  /** Calls `onRevoked` once if the context's key stops being valid; returns the unwatch. */
  watch(ctx: RequestContext, onRevoked: () => void): () => void {
    const keyId = revocableCredentialId(ctx.actor);
    if (keyId === undefined) return () => undefined;
    let callbacks = this.watchers.get(keyId);
    if (!callbacks) {
      callbacks = new Set();
      this.watchers.set(keyId, callbacks);
    }
    callbacks.add(onRevoked);
    return () => {
      callbacks.delete(onRevoked);
      if (callbacks.size === 0) this.watchers.delete(keyId);
    };
  }
}
