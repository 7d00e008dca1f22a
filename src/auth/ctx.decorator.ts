import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { GqlContextType, GqlExecutionContext } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../common/request-context';
import type { GraphqlContext } from '../graphql/graphql-context';

/** The request context the guard built; a handler that takes it always has one. */
export const Ctx = createParamDecorator(
  (_data: unknown, execution: ExecutionContext): RequestContext => {
    const context =
      execution.getType<GqlContextType>() === 'graphql'
        ? GqlExecutionContext.create(execution).getContext<GraphqlContext>().dukkadee
        : execution.switchToHttp().getRequest<FastifyRequest>().dukkadeeContext;
    if (!context)
      throw new Error('No request context: the handler is public or the guard did not run');
    return context;
  },
);
