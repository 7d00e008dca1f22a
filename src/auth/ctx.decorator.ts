import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../common/request-context';

/** The request context the guard built; a handler that takes it always has one. */
export const Ctx = createParamDecorator(
  (_data: unknown, execution: ExecutionContext): RequestContext => {
    const context = execution.switchToHttp().getRequest<FastifyRequest>().dukkadeeContext;
    if (!context)
      throw new Error('No request context: the handler is public or the guard did not run');
    return context;
  },
);
