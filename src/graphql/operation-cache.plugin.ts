import { createHash } from 'node:crypto';
import { type ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { applyDecorators } from '@nestjs/common';
import { Extensions } from '@nestjs/graphql';
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { type GrantedScope, RequireScopes } from '../auth/require-scopes.decorator';
import type { CachedReads } from '../cache/cached-reads';
import { ReadRecorder } from '../cache/response-cache';
import type { RequestContext } from '../common/request-context';
import type { GraphqlContext } from './graphql-context';
import { rootFieldNames } from './secret-answers.plugin';

/** The GraphQL field extension `@CachedRead()` sets: the scopes the field requires. */
const CACHED_READ = 'cachedRead';

/**
 * `@RequireScopes()` for a root query field whose answer is made only of cached catalogue reads
 * (CatalogReads, given the operation's `operationReads` recorder) and its arguments: no field under
 * it reads anything else. An operation that selects only such fields is answered whole from the
 * response cache (operationCachePlugin), so the scopes are declared here, once, for both the
 * guard and the plugin.
 */
export const CachedRead = (...scopes: GrantedScope[]) =>
  applyDecorators(RequireScopes(...scopes), Extensions({ [CACHED_READ]: scopes }));

/**
 * Whole GraphQL queries from the response cache. Caching the fields' data alone left executing
 * the document as the cost of a hot page (graphql-js walks ~1,000 fields of 50 products); this
 * keeps the operation's result, per store, API version, document and variables, depending on
 * what its reads depended on, so the committed changes that drop those reads drop it too.
 *
 * It runs after the other plugins' `didResolveOperation` (the credential resolved, the cost
 * charged), and answers only for a credential that holds every scope the fields require; anything
 * else executes as usual, and the guards answer. Over HTTP only: a subscription is not a query.
 * Apollo's response-cache plugin keys by cache hints and ends entries by TTL, with no way to end
 * them on a commit, so it does not fit.
 */
export function operationCachePlugin(reads: CachedReads): ApolloServerPlugin<GraphqlContext> {
  return {
    async requestDidStart() {
      let pending: { ctx: RequestContext; key: string; recorder: ReadRecorder } | undefined;
      return {
        async responseForOperation({
          schema,
          document,
          operation,
          request,
          queryHash,
          contextValue,
        }) {
          const ctx = contextValue.dukkadee;
          if (!contextValue.request || !ctx?.storeId || !operation || !queryHash) return null;
          const scopes = scopesOf(schema, operation, document);
          if (!scopes || scopes.some((scope) => !ctx.scopes.has(scope as never))) return null;
          const key = operationKey(queryHash, request.operationName, request.variables);
          const data = await reads.lookup<Record<string, unknown>>(ctx, key);
          if (data) {
            answeredFromCache.add(data);
            return { http: { status: undefined, headers: new HeaderMap() }, body: single(data) };
          }
          pending = { ctx, key, recorder: new ReadRecorder() };
          contextValue.operationReads = pending.recorder;
          return null;
        },
        async willSendResponse({ response }) {
          if (!pending || response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (errors?.length || !data) return;
          await reads.keep(pending.ctx, pending.key, data, pending.recorder);
        },
      };
    },
  };
}

/** The `data` of answers served from the cache: the same objects on every L1 hit. */
const answeredFromCache = new WeakSet<object>();
const jsonOfData = new WeakMap<object, string>();

/**
 * Apollo's `stringifyResult`: its own (`JSON.stringify` of errors, data and extensions, and a
 * newline), except that a cached answer's `data`, the same object on every hit, is serialised
 * once and its text reused (a hot page's 36 KB took 6% of the CPU per request to write again).
 */
export function stringifyResult(result: {
  readonly errors?: unknown;
  readonly data?: unknown;
  readonly extensions?: unknown;
}): string {
  const { data } = result;
  if (result.errors !== undefined || !isObject(data) || !answeredFromCache.has(data))
    return `${JSON.stringify(result)}\n`;
  let json = jsonOfData.get(data);
  if (json === undefined) {
    json = JSON.stringify(data);
    jsonOfData.set(data, json);
  }
  const extensions =
    result.extensions === undefined ? '' : `,"extensions":${JSON.stringify(result.extensions)}`;
  return `{"data":${json}${extensions}}\n`;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/**
 * `requiredScopes`, once per parsed document and operation (Apollo keeps one document per query
 * text), not on every request of a hot query.
 */
const scopesByDocument = new WeakMap<
  DocumentNode,
  Map<OperationDefinitionNode, GrantedScope[] | undefined>
>();

function scopesOf(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  document: DocumentNode,
): GrantedScope[] | undefined {
  const known = scopesByDocument.get(document) ?? new Map();
  scopesByDocument.set(document, known);
  if (!known.has(operation)) known.set(operation, requiredScopes(schema, operation, document));
  return known.get(operation);
}

/**
 * The scopes of a query made only of `@CachedRead()` root fields (and `__typename`), or undefined
 * when it selects anything else.
 */
function requiredScopes(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  document: DocumentNode,
): GrantedScope[] | undefined {
  if (operation.operation !== 'query') return undefined;
  const fields = schema.getQueryType()?.getFields() ?? {};
  const scopes = new Set<GrantedScope>();
  for (const name of rootFieldNames(operation.selectionSet, document)) {
    if (name === '__typename') continue;
    const declared = fields[name]?.extensions?.[CACHED_READ] as GrantedScope[] | undefined;
    if (!declared) return undefined;
    declared.forEach((scope) => scopes.add(scope));
  }
  return [...scopes];
}

/** The document (Apollo's hash of its text), the operation chosen in it, and its variables. */
function operationKey(
  queryHash: string,
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
): string {
  const inputs = createHash('sha256')
    .update(JSON.stringify([operationName ?? null, variables ?? {}]))
    .digest('base64url');
  return `graphql ${queryHash} ${inputs}`;
}

function single(data: Record<string, unknown>) {
  return { kind: 'single' as const, singleResult: { data } };
}
