import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error';
import { problemFromDomainError } from '../common/errors/problem';
import { sendProblem } from '../common/errors/problem-responder';
import { ALWAYS_SERVED, type DatabaseState } from '../database/database-state';
import type { Metrics } from '../observability/metrics';
import { newRequestId } from '../observability/request-id';
import { cacheControlOf, DEFAULT_CACHE_CONTROL } from '../common/http/response-headers';

/**
 * Fastify-level hooks that wrap every request, matched or not: a 503 while the database is not
 * migrated yet; on every answer (CORS preflights, 404s and that 503 included) the request id,
 * the security headers and `Cache-Control`; one access-log line, and the latency histogram.
 */
export function registerHttpHooks(
  fastify: FastifyInstance,
  state: DatabaseState,
  metrics: Metrics,
  securityHeaders: Readonly<Record<string, string>>,
): void {
  fastify.addHook('onRequest', (request, reply, done) => {
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

  // onSend runs for every answer Fastify sends, including those sent by onRequest hooks (the CORS
  // preflight, the 503 above), which skip the hooks registered after theirs.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    void reply
      .header('X-Request-Id', request.id)
      .headers(securityHeaders)
      .header(
        'Cache-Control',
        cacheControlOf(request.routeOptions.config?.cacheControl, reply.getHeader('cache-control')),
      );
    done(null, payload);
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

/**
 * Errors Fastify raises before routing (a malformed URL), answered as problems like the rest,
 * with the headers of every answer (the hooks do not run for them).
 */
export const frameworkErrorHandler =
  (securityHeaders: Readonly<Record<string, string>>) =>
  (_error: Error, request: FastifyRequest, reply: FastifyReply): void => {
    void reply
      .header('X-Request-Id', request.id)
      .headers(securityHeaders)
      .header('Cache-Control', DEFAULT_CACHE_CONTROL);
    sendProblem(
      request,
      reply,
      new DomainError('bad_request', 'The request URL is malformed.', {}),
    );
  };

/**
 * Requests Node's HTTP parser rejects (bad framing, oversized headers) never become Fastify
 * requests; they still get a problem body, a request id and the security headers, then the
 * connection is closed.
 */
export const clientErrorHandler =
  (securityHeaders: Readonly<Record<string, string>>) =>
  (error: Error & { code?: string }, socket: Socket): void => {
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
    const headers = {
      'Content-Type': 'application/problem+json; charset=utf-8',
      'X-Request-Id': requestId,
      ...securityHeaders,
      'Cache-Control': DEFAULT_CACHE_CONTROL,
      'Content-Length': String(Buffer.byteLength(body)),
      Connection: 'close',
    };
    socket.end(
      `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
        Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('') +
        `\r\n${body}`,
    );
  };
