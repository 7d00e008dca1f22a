import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Inject,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DomainError } from '../common/errors/domain-error';
import { LOGGER } from '../observability/logger';
import { ErrorPage } from './error-page';
import { hostedState } from './hosted-request';
import { PageError, SignInRequired } from './page-errors';
import { seeOther, sendDocument } from '../web/page-reply';

/**
 * Hosted pages answer errors as pages, never as the API's problem JSON: a missing store or page
 * (404), a form without its token or a role that may not see the page (403), the database busy
 * (503 with Retry-After), and anything unexpected (500, logged).
 */
@Catch()
export class HostedPageFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (error instanceof SignInRequired)
      return seeOther(reply, `/admin/sign-in?${new URLSearchParams({ next: error.returnTo })}`);
    const { status, title, message } = this.describe(error, request);
    if (error instanceof DomainError && error.details.headers)
      void reply.headers(error.details.headers);
    const store = hostedState(request).store;
    sendDocument(
      reply,
      status,
      ErrorPage({
        site: store?.name ?? 'Dukkadee',
        title,
        message,
        home: store ? '/' : undefined,
      }),
    );
  }

  private describe(
    error: unknown,
    request: FastifyRequest,
  ): { status: number; title: string; message: string } {
    if (error instanceof PageError) return error;
    if (error instanceof DomainError) {
      if (error.code === 'not_found')
        return { status: 404, title: 'Page not found', message: error.message };
      if (error.status < 500)
        return { status: error.status, title: 'Not possible', message: error.message };
      if (error.status === 503)
        return { status: 503, title: 'Busy right now', message: 'Please try again in a moment.' };
    }
    if (error instanceof HttpException && error.getStatus() < 500)
      return { status: error.getStatus(), title: 'Not possible', message: error.message };
    this.logger.error({ err: error, requestId: request.id }, 'hosted page failed');
    return {
      status: 500,
      title: 'Something went wrong',
      message: 'The page could not be shown. Please try again.',
    };
  }
}
