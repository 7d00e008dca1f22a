import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error';
import { problemFromDomainError } from '../common/errors/problem';
import { sendProblem } from '../common/errors/problem-responder';
import type { DatabaseState } from '../database/database-state';
import type { Metrics } from '../observability/metrics';
import { newRequestId } from '../observability/request-id';

const ALWAYS_SERVED = /^\/(health\/|metrics)/;

/**
 * Fastify-level hooks that wrap every request, matched or not: the request id header, a 503 while
 * the database is not migrated yet, one access-log line, and the latency histogram.
 */
export function registerHttpHooks(
  fastify: FastifyInstance,
  state: DatabaseState,
  metrics: Metrics,
): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('X-Request-Id', request.id);
    if (!state.isMigrated && !ALWAYS_SERVED.test(request.url)) {
      sendProblem(
        request,
        reply,
        new DomainError('service_unavailable', 'The platform is starting; retry shortly.', {
          headers: { 'Retry-After': '1' },
        }),
      );
      return;
    }
    done();
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      seconds,
    );
    const context = request.dukkadeeContext;
    request.log.info(
      {
        method: request.method,
        route,
        url: request.url,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
        storeId: context?.storeId ?? undefined,
        credentialId: context?.actor.id,
      },
      'request completed',
    );
    done();
  });
}

/** Errors Fastify raises before routing (a malformed URL), answered as problems like the rest. */
export function frameworkErrorHandler(
  error: Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  void reply.header('X-Request-Id', request.id);
  sendProblem(request, reply, new DomainError('bad_request', 'The request URL is malformed.', {}));
}

/**
 * Requests Node's HTTP parser rejects (bad framing, oversized headers) never become Fastify
 * requests; they still get a problem body and a request id, then the connection is closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return void socket.destroy();
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const requestId = newRequestId();
  const problem = problemFromDomainError(
    tooLarge
      ? new DomainError('payload_too_large', 'The request headers are too large.')
      : new DomainError('bad_request', 'The request is not valid HTTP.'),
    requestId,
  );
  const body = JSON.stringify({
    ...problem,
    status: tooLarge ? 431 : 400,
    title: tooLarge ? 'Request Header Fields Too Large' : 'Bad Request',
  });
  socket.end(
    `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
      `Content-Type: application/problem+json; charset=utf-8\r\nX-Request-Id: ${requestId}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
