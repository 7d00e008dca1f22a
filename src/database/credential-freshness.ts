import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TransactionalConnection } from './transactional-connection';

/** How often the credentials held in this process's caches are checked against the database. */
const CHECK_INTERVAL_MS = 400;
/** A check older than this no longer vouches for the caches (the contract's 1 s, with margin). */
const CURRENT_FOR_MS = 800;

/**
 * Keeps the credential caches (API keys, OAuth access tokens) true without a round trip per
 * request: every 400 ms the ids they hold are checked in one statement, and the revoked ones
 * (key revoked, token revoked or expired, app uninstalled, store suspended: whatever
 * `platform.credential_active` says, however it was changed) are forgotten through
 * `TransactionalConnection.onRevokedCredential`. A revocation made on this instance checks at
 * once, after its commit and before its answer. So a revoked credential is refused at once on the
 * instance that revoked it and within about half a second on every other (CONTRACT.md).
 *
 * What relies on it: a response-cache hit, which runs no transaction, skips its own credential
 * check while the last check is current; when it is not (the database was unreachable), the hit
 * checks for itself.
 */
@Injectable()
export class CredentialFreshness implements OnModuleInit, OnModuleDestroy {
  private readonly sources: (() => Iterable<string>)[] = [];
  private lastCheckStartedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly connection: TransactionalConnection,
  ) {}

  /** A credential cache says what it holds; what is found revoked reaches it as a revocation. */
  register(cachedIds: () => Iterable<string>): void {
    this.sources.push(cachedIds);
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.check().catch(() => undefined), CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Whether every cached credential was found valid by a check that started moments ago. */
  isCurrent(): boolean {
    return Date.now() - this.lastCheckStartedAt < CURRENT_FOR_MS;
  }

  /** For a revocation committed here: the caches forget it before the answer goes out. */
  checkNow(): Promise<void> {
    return this.check();
  }

  private async check(): Promise<void> {
    const startedAt = Date.now();
    const ids = [...new Set(this.sources.flatMap((source) => [...source()]))];
    if (ids.length > 0) {
      const revoked: { id: string }[] = await this.dataSource.query(
        'SELECT id FROM unnest($1::text[]) AS id WHERE NOT platform.credential_active(id)',
        [ids],
      );
      for (const { id } of revoked) this.connection.reportRevoked(id);
    }
    this.lastCheckStartedAt = Math.max(this.lastCheckStartedAt, startedAt);
  }
}
