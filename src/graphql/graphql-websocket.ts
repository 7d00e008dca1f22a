import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { ExecutionResult, GraphQLError, parse } from 'graphql';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL, type Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { assertUsableFromRequest } from '../auth/browser-credentials';
import { CredentialResolver } from '../auth/credential-resolver';
import { newId } from '../common/ids';
import { APP_CONFIG, AppConfig } from '../config/config';
import { LOGGER } from '../observability/logger';
import { NOT_IN_LIST, OperationsManifest } from './operations-manifest';
import { authorizationOf, GraphqlContext } from './graphql-context';
import { formatGraphqlError } from './graphql-errors';
import { assertTokenLimit } from './query-cost.plugin';
import { measureQuery, QUERY_TOO_COMPLEX } from './query-limits';

const PATH = '/graphql';
/** A GraphQL subscribe message is a query and its variables; 64 KiB is plenty. */
const MAX_MESSAGE_BYTES = 64 * 1024;
/** Subscriptions one WebSocket connection may hold at once. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 20;

/**
 * GraphQL subscriptions over graphql-ws on /graphql, beside Apollo's HTTP handler, on the same
 * schema (Nest's resolvers, guard and scope decorator included). Run here rather than through
 * Nest's built-in subscription server, which creates its WebSocket server with ws's defaults
 * (100 MiB messages) and passes on only some of graphql-ws's hooks.
 */
@Injectable()
export class GraphqlWebSocketServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: WebSocketServer | undefined;
  private disposable: { dispose(): void | Promise<void> } | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly schemaHost: GraphQLSchemaHost,
    private readonly credentials: CredentialResolver,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.operations = OperationsManifest.load(
      config.graphqlOperationsFile,
      config.graphqlAllowlist,
    );
  }

  private readonly operations: OperationsManifest;

  onApplicationBootstrap(): void {
    // The CLI and `npm run worker` run the modules without an HTTP server.
    const httpServer = this.adapterHost.httpAdapter?.getHttpServer();
    if (!httpServer) return;
    const server = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
    const formatError = formatGraphqlError(this.logger);
    this.disposable = useServer<Record<string, unknown>>(
      {
        schema: this.schemaHost.schema,
        context: (context): GraphqlContext => ({
          connectionParams: context.connectionParams ?? {},
        }),
        // The credential of `connection_init`, checked before any operation: a bad one closes
        // the socket with 4403 Forbidden (graphql-ws's answer to `false`).
        onConnect: async (context) => {
          try {
            const credential = await this.credentials.resolve(
              authorizationOf({ connectionParams: context.connectionParams ?? {} }),
              newId('req'),
            );
            assertUsableFromRequest(credential, context.extra.request.headers);
            return true;
          } catch {
            return false;
          }
        },
        onSubscribe: (context, _id, payload) => this.refusal(context, payload),
        // Apollo's formatError covers HTTP; WebSocket results get the same mapping here.
        onNext: (_context, _id, _payload, _args, result: ExecutionResult) =>
          result.errors
            ? {
                ...result,
                errors: result.errors.map((error) => formatError(error.toJSON(), error)),
              }
            : undefined,
      },
      server,
    );
    this.server = server;
    httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.upgrade(request, socket, head),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.disposable?.dispose();
    for (const client of this.server?.clients ?? []) client.terminate();
    this.server?.close();
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const server = this.server;
    const path = (request.url ?? '').split('?')[0];
    const protocols = String(request.headers['sec-websocket-protocol'] ?? '').split(/\s*,\s*/);
    if (!server || path !== PATH || !protocols.includes(GRAPHQL_TRANSPORT_WS_PROTOCOL)) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    server.handleUpgrade(request, socket, head, (client) =>
      server.emit('connection', client, request),
    );
  }

  /** The per-query limits of HTTP, and the cap on subscriptions per connection. */
  private refusal(
    context: Context<Record<string, unknown>>,
    payload: {
      query: string;
      variables?: Record<string, unknown> | null;
      operationName?: string | null;
    },
  ): readonly GraphQLError[] | undefined {
    // graphql-ws registers this subscription before asking: the others are the rest.
    if (Object.keys(context.subscriptions).length - 1 >= MAX_SUBSCRIPTIONS_PER_SOCKET)
      return [
        new GraphQLError(
          `A connection may hold ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions; complete one first.`,
          { extensions: { code: QUERY_TOO_COMPLEX } },
        ),
      ];
    try {
      assertTokenLimit(payload.query);
      this.operations.assertAllowed(payload.query, undefined);
      measureQuery(
        this.schemaHost.schema,
        parse(payload.query),
        payload.variables ?? undefined,
        payload.operationName ?? undefined,
      );
      return undefined;
    } catch (error) {
      if (
        error instanceof GraphQLError &&
        (error.extensions.code === QUERY_TOO_COMPLEX || error.extensions.code === NOT_IN_LIST)
      )
        return [error];
      return undefined; // a syntax error: graphql-ws reports it itself
    }
  }
}
