import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { DomainError } from '../errors/domain-error';

/** `RouteParamtypes.BODY` of @nestjs/common: the enum is not part of its public exports. */
const BODY_PARAMETER = 3;

/**
 * Refuses a body sent to a route that reads none (`DELETE`, `POST /v1/orders/{id}/pay`…), as
 * unknown fields are refused elsewhere: a client that sends `{"amount": 500}` to `pay` believes it
 * said something, and must learn that it did not.
 */
@Injectable()
export class NoBodyInterceptor implements NestInterceptor {
  private readonly readsBody = new WeakMap<object, boolean>();

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() !== 'http') return next.handle();
    const body = execution.switchToHttp().getRequest<FastifyRequest>().body;
    if (body !== undefined && body !== null && !this.handlerReadsBody(execution)) {
      throw DomainError.validation([
        { path: '', code: 'unexpected_body', message: 'This operation takes no request body.' },
      ]);
    }
    return next.handle();
  }

  private handlerReadsBody(execution: ExecutionContext): boolean {
    const handler = execution.getHandler();
    let reads = this.readsBody.get(handler);
    if (reads === undefined) {
      const parameters: Record<string, unknown> =
        Reflect.getMetadata(ROUTE_ARGS_METADATA, execution.getClass(), handler.name) ?? {};
      reads = Object.keys(parameters).some((key) => key.split(':')[0] === String(BODY_PARAMETER));
      this.readsBody.set(handler, reads);
    }
    return reads;
  }
}
