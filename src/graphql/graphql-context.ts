import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../common/request-context';
import type { Loaders } from './loaders';

/**
 * What every resolver of one GraphQL operation shares: the transport's request (HTTP) or
 * connection parameters (WebSocket), the request context once the guard has resolved the
 * credential, and the operation's DataLoaders.
 */
export interface GraphqlContext {
  readonly request?: FastifyRequest;
  readonly connectionParams?: Readonly<Record<string, unknown>>;
  dukkadee?: RequestContext;
  loaders?: Loaders;
}
