import { ArgumentsHost, Catch, ExceptionFilter, Inject, Optional } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotModified } from '../http/not-modified';
import { sendProblem } from './problem-responder';
import { UNROUTED_PAGE, type UnroutedPage } from './unrouted-page';

/**
 * Maps every error of an HTTP request to a problem response, in one place; a request no route
 * matched at a page's address goes to the page that answers it (the hosted UI's 404).
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(@Optional() @Inject(UNROUTED_PAGE) private readonly unrouted?: UnroutedPage) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (exception instanceof NotModified) {
      void reply.code(304).header('ETag', exception.etag).send();
      return;
    }
    if (request.is404 && this.unrouted?.claims(request)) {
      this.unrouted
        .send(request, reply)
        .catch((error: unknown) => sendProblem(request, reply, error));
      return;
    }
    sendProblem(request, reply, exception);
  }
}
