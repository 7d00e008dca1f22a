import { Injectable } from '@nestjs/common';
import { errors } from 'bentocache';
import type { RequestContext } from '../common/request-context';
import { CredentialFreshness } from '../database/credential-freshness';
import { TransactionalConnection } from '../database/transactional-connection';
import { type CacheDependencies, type ComputedEntry, ResponseCache } from './response-cache';

/**
 * A read served from the response cache on behalf of a request context: the one path that REST's
 * cached answers, GraphQL's product fields and the storefront's product data take, so they share
 * the store's namespace, the API version in the key, the invalidations and the credential rule.
 *
 * A hit runs no transaction, so nothing re-checks the credential there: the credential caches
 * vouch for it while their last check is current (CredentialFreshness), and otherwise the hit
 * checks for itself. A miss runs `compute`, whose transaction checks as every read does.
 */
@Injectable()
export class CachedReads {
  constructor(
    private readonly cache: ResponseCache,
    private readonly connection: TransactionalConnection,
    private readonly freshness: CredentialFreshness,
  ) {}

  async read<T extends object>(
    ctx: RequestContext,
    key: string,
    dependencies: CacheDependencies,
    compute: (entry: ComputedEntry) => Promise<T>,
  ): Promise<T> {
    const storeId = ctx.storeId;
    if (!storeId) return compute({ holds: () => undefined });
    let computed = false;
    const value = await this.cache
      .answer(storeId, `${ctx.apiVersion} ${key}`, dependencies, (entry) => {
        computed = true;
        return compute(entry);
      })
      // bentocache wraps what the computation threw (a 404, a bad cursor): rethrow that.
      .catch((error: unknown) => {
        throw error instanceof errors.E_FACTORY_ERROR ? error.cause : error;
      });
    if (!computed && !this.freshness.isCurrent()) await this.connection.verifyCredential(ctx);
    return value;
  }
}
