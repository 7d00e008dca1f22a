import type { FastifyRequest } from 'fastify';
import type { ReadRecorder } from '../cache/response-cache';
import type { RequestContext } from '../common/request-context';
import type { Loaders } from './loaders';

/**
 * What every resolver of one GraphQL operation shares: the transport's request (HTTP) or
 * connection parameters (WebSocket), the request context once the guard has resolved the
 * credential, the operation's DataLoaders, and the recorder of its cached reads when its answer
 * may be kept whole (operation-cache.plugin.ts).
 */
export interface GraphqlContext {
  readonly request?: FastifyRequest;
  readonly connectionParams?: Readonly<Record<string, unknown>>;
  dukkadee?: RequestContext;
  loaders?: Loaders;
  operationReads?: ReadRecorder;
}
