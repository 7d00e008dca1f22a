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
import { Authenticator } from '../auth/authenticator';
import type { RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { LOGGER } from '../observability/logger';
import { GraphqlCostBucket } from '../throttling/graphql-cost-bucket';
import { NOT_IN_LIST, OperationsManifest } from './operations-manifest';
import type { GraphqlContext } from './graphql-context';
import { webSocketCredentials } from './graphql-credentials';
import { formatGraphqlError } from './graphql-errors';
import { assertTokenLimit, throttledError } from './query-cost.plugin';
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
  /** Each connection's credential, from `connection_init`: its subscribe messages are charged to it. */
  private readonly credentials = new WeakMap<object, RequestContext>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly schemaHost: GraphQLSchemaHost,
    private readonly authenticator: Authenticator,
    private readonly costs: GraphqlCostBucket,
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
        // The credential of `connection_init`, checked by the API's strategies before any
        // operation: a bad one closes the socket with 4403 Forbidden (graphql-ws's answer to
        // `false`).
        onConnect: async (context) => {
          try {
            const credential = await this.authenticator.authenticateApi(
              webSocketCredentials(context.connectionParams, context.extra.request),
            );
            this.credentials.set(context, credential);
            return true;
          } catch {
            return false;
          }
        },
        onSubscribe: async (context, _id, payload) => {
          const checked = this.check(context, payload);
          if ('refused' in checked) return checked.refused;
          return this.charge(context, checked.cost);
        },
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

  /**
   * The per-query limits of HTTP, and the cap on subscriptions per connection: the refusal, or
   * the subscription's cost (0 for a document graphql-ws will refuse itself).
   */
  private check(
    context: Context<Record<string, unknown>>,
    payload: {
      query: string;
      variables?: Record<string, unknown> | null;
      operationName?: string | null;
    },
  ): { refused: readonly GraphQLError[] } | { cost: number } {
    // graphql-ws registers this subscription before asking: the others are the rest.
    if (Object.keys(context.subscriptions).length - 1 >= MAX_SUBSCRIPTIONS_PER_SOCKET)
      return {
        refused: [
          new GraphQLError(
            `A connection may hold ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions; complete one first.`,
            { extensions: { code: QUERY_TOO_COMPLEX } },
          ),
        ],
      };
    try {
      assertTokenLimit(payload.query);
      this.operations.assertAllowed(payload.query, undefined);
      const cost = measureQuery(
        this.schemaHost.schema,
        parse(payload.query),
        payload.variables ?? undefined,
        payload.operationName ?? undefined,
      );
      return { cost };
    } catch (error) {
      if (
        error instanceof GraphQLError &&
        (error.extensions.code === QUERY_TOO_COMPLEX || error.extensions.code === NOT_IN_LIST)
      )
        return { refused: [error] };
      return { cost: 0 }; // a syntax error: graphql-ws reports it itself
    }
  }

  /**
   * A subscribe message costs the subscription's calculated cost, from the connection
   * credential's GraphQL bucket, as an HTTP operation does. An empty bucket refuses this
   * subscription with THROTTLED (and `retryAfter` in seconds, where HTTP sends Retry-After); the
   * connection and its other subscriptions stay.
   */
  private async charge(
    context: Context<Record<string, unknown>>,
    cost: number,
  ): Promise<readonly GraphQLError[] | undefined> {
    const credential = this.credentials.get(context);
    if (!credential || cost === 0) return undefined;
    const take = await this.costs.charge(credential, cost);
    if (!take || take.taken) return undefined;
    const throttled = throttledError(cost, take);
    throttled.extensions.retryAfter = take.secondsUntilAvailable(cost);
    return [throttled];
  }
}
