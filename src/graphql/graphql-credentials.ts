import type { IncomingMessage } from 'node:http';
import type { ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { fromAnotherOrigin } from '../auth/browser-credentials';
import { CredentialRequest, NO_COOKIES } from '../auth/credential-request';
import type { CredentialTransport } from '../auth/credential-transport';
import { newId } from '../common/ids';
import type { GraphqlContext } from './graphql-context';

/**
 * The graphql-ws extractor: `connection_init`'s `{"authorization": "Bearer …"}`, checked against
 * the upgrade request's origin. A connection has no request id of its own; it gets one.
 */
export function webSocketCredentials(
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  upgrade: IncomingMessage,
): CredentialRequest {
  const authorization = connectionParams?.authorization;
  return new CredentialRequest(
    typeof authorization === 'string' ? authorization : undefined,
    NO_COOKIES,
    upgrade.headers.host,
    newId('req'),
    fromAnotherOrigin(upgrade.headers),
  );
}

/** The GraphQL-over-HTTP extractor: the request's bearer token (GraphQL takes no cookies). */
export function graphqlCredentials(context: GraphqlContext): CredentialRequest {
  const { request } = context;
  if (!request) return webSocketOperationCredentials(context);
  return new CredentialRequest(
    request.headers.authorization,
    NO_COOKIES,
    request.headers.host,
    String(request.id),
    fromAnotherOrigin(request.headers),
  );
}

/** A subscription's root field: the connection's `connection_init`, already checked for origin. */
function webSocketOperationCredentials(context: GraphqlContext): CredentialRequest {
  const authorization = context.connectionParams?.authorization;
  return new CredentialRequest(
    typeof authorization === 'string' ? authorization : undefined,
    NO_COOKIES,
    undefined,
    newId('req'),
  );
}

const graphqlContext = (execution: ExecutionContext) =>
  GqlExecutionContext.create(execution).getContext<GraphqlContext>();

/** Attaches the context to the operation, and to its HTTP request for the request log. */
export function attachToOperation(context: GraphqlContext, ctx: GraphqlContext['dukkadee']): void {
  context.dukkadee = ctx;
  if (context.request) context.request.dukkadeeContext = ctx;
}

export const GRAPHQL_CREDENTIAL_TRANSPORT: CredentialTransport = {
  credentials: (execution) => graphqlCredentials(graphqlContext(execution)),
  resolved: (execution) => graphqlContext(execution).dukkadee,
  attach: (execution, context) => attachToOperation(graphqlContext(execution), context),
};
