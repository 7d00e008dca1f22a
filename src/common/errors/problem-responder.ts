import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemFromDomainError } from './problem';
import { toDomainError } from './to-domain-error';

/**
 * Sends any error as `application/problem+json`. Used by the Nest exception filter and by Fastify's
 * own error handler (body parsing fails before Nest sees the request), so both answer alike.
 */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, thrown: unknown): void {
  const { error, unexpected } = toDomainError(thrown);
  if (unexpected) request.log.error({ err: thrown }, 'unexpected error');
  for (const [name, value] of Object.entries(error.details.headers ?? {}))
    reply.header(name, value);
  void reply
    .status(error.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send(JSON.stringify(problemFromDomainError(error, String(request.id))));
}
