import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { RequestContext } from '../common/request-context';
import { requestContextOf } from './credential-transport';

/** The request context the credential guard built; a handler that takes it always has one. */
export const Ctx = createParamDecorator(
  (_data: unknown, execution: ExecutionContext): RequestContext => {
    const context = requestContextOf(execution);
    if (!context)
      throw new Error('No request context: the handler is public or the guard did not run');
    return context;
  },
);
