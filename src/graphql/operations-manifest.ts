import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';

export const NOT_IN_LIST = 'PERSISTED_QUERY_NOT_IN_LIST';

export function sha256(query: string): string {
  return createHash('sha256').update(query).digest('hex');
}

/**
 * Operations known in advance (GRAPHQL_OPERATIONS_FILE: `{"<sha256 hex>": "<operation>"}`, as
 * Apollo's and Relay's persisted-query tooling writes them for first-party apps). They answer by
 * hash from the first request on, and with GRAPHQL_ALLOWLIST nothing else is accepted.
 */
export class OperationsManifest {
  private constructor(
    private readonly operations: ReadonlyMap<string, string>,
    readonly allowlistOnly: boolean,
  ) {}

  static load(file: string | undefined, allowlistOnly: boolean): OperationsManifest {
    const operations = new Map<string, string>();
    if (file) {
      const entries = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      for (const [hash, query] of Object.entries(entries)) {
        // A wrong hash would let a client run another query than the one it named.
        if (typeof query !== 'string' || sha256(query) !== hash.toLowerCase())
          throw new Error(
            `GRAPHQL_OPERATIONS_FILE: the entry ${hash} is not the SHA-256 of its query`,
          );
        operations.set(hash.toLowerCase(), query);
      }
    }
    return new OperationsManifest(operations, allowlistOnly);
  }

  has(hash: string): boolean {
    return this.operations.has(hash.toLowerCase());
  }

  get(hash: string): string | undefined {
    return this.operations.get(hash.toLowerCase());
  }

  /** In allowlist mode, refuses what is not in the list: by its hash, or by its text. */
  assertAllowed(query: string | undefined, hash: string | undefined): void {
    if (!this.allowlistOnly) return;
    const known =
      hash !== undefined ? this.has(hash) : query !== undefined && this.has(sha256(query));
    if (!known)
      throw new GraphQLError('Only the operations registered for this API are accepted.', {
        extensions: { code: NOT_IN_LIST, http: { status: 400 } },
      });
  }

  /**
   * Apollo's persisted-query cache (keys `apq:<hash>`): the manifest's operations first, then what
   * clients registered, for an hour.
   */
  cache(ttlSeconds: number): KeyValueCache<string> {
    const registered = new LRUCache<string, string>({ max: 10_000, ttl: ttlSeconds * 1000 });
    return {
      get: async (key) => this.get(key.replace(/^apq:/, '')) ?? registered.get(key),
      set: async (key, value) => {
        if (!this.allowlistOnly) registered.set(key, value);
      },
      delete: async (key) => registered.delete(key),
    };
  }
}
