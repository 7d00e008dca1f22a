import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RequestContext, revocableCredentialId } from '../common/request-context';

/** How soon a long-lived stream (a GraphQL subscription) notices its key was revoked. */
export const CREDENTIAL_RECHECK_MS = 5_000;

/**
 * Re-checks the credentials of long-lived streams. A request re-checks its key in its own
 * transaction, but a subscription makes no request after it starts: every few seconds the keys
 * in use are checked in one statement (however many subscriptions share them), and the streams
 * of a key or OAuth token revoked or expired (access tokens live 15 minutes), an app uninstalled,
 * or a store suspended, are told to end.
 */
@Injectable()
export class CredentialWatch implements OnModuleDestroy {
  private readonly watchers = new Map<string, Set<() => void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly dataSource: DataSource) {}

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
    this.timer ??= setInterval(() => void this.check(), CREDENTIAL_RECHECK_MS).unref();
    return () => {
      callbacks.delete(onRevoked);
      if (callbacks.size === 0) this.watchers.delete(keyId);
    };
  }

  private async check(): Promise<void> {
    const keyIds = [...this.watchers.keys()];
    if (keyIds.length === 0) return;
    try {
      const revoked: { id: string }[] = await this.dataSource.query(
        'SELECT id FROM unnest($1::text[]) AS id WHERE NOT platform.credential_active(id)',
        [keyIds],
      );
      for (const { id } of revoked) {
        const callbacks = this.watchers.get(id);
        this.watchers.delete(id);
        for (const callback of callbacks ?? []) callback();
      }
    } catch {
      // The database is away: streams go on, and the next check decides.
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}
