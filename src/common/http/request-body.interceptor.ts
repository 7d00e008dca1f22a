import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { DomainError } from '../errors/domain-error';
import { unknownField } from '../validation/validate-input';
import { ACTION_BODY } from './action-body.decorator';

/** `RouteParamtypes.BODY` of @nestjs/common: the enum is not part of its public exports. */
const BODY_PARAMETER = 3;

/** What a handler does with the body: reads none, reads an optional one, or needs one. */
type BodyUse = 'none' | 'optional' | 'required';

/**
 * Gives "no body" one meaning per route before anything else reads it (the idempotency
 * fingerprint, the validation pipe), so `{}`, an empty body and none are the same request:
 *
 * - a route that reads no body (`DELETE`, `pay`) takes none or `{}`; a field is refused as an
 *   unknown field, as everywhere, so `{"amount": 500}` on `pay` does not look accepted;
 * - an action with optional fields (`cancel`, see ActionBody) reads `{}` when nothing was sent;
 * - any other route needs its body, and the validation pipe says so.
 *
 * It validates nothing a lookup could depend on, so `{}` on another store's order is still 404.
 */
@Injectable()
export class RequestBodyInterceptor implements NestInterceptor {
  private readonly uses = new WeakMap<object, BodyUse>();

  constructor(private readonly reflector: Reflector) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() !== 'http') return next.handle();
    const request = execution.switchToHttp().getRequest<FastifyRequest>();
    // HTML forms (pages, OAuth) carry their CSRF token in every post; their handlers read fields.
    // (The API refuses a non-empty form, so there a form is always no body.)
    if (request.body !== undefined && isForm(request)) return next.handle();
    const use = this.bodyUse(execution);
    if (use === 'optional' && request.body === undefined) request.body = {};
    if (use === 'none' && request.body !== undefined) {
      assertNoFields(request.body);
      request.body = undefined;
    }
    return next.handle();
  }

  private bodyUse(execution: ExecutionContext): BodyUse {
    const handler = execution.getHandler();
    let use = this.uses.get(handler);
    if (use === undefined) {
      const parameters: Record<string, unknown> =
        Reflect.getMetadata(ROUTE_ARGS_METADATA, execution.getClass(), handler.name) ?? {};
      const readsBody = Object.keys(parameters).some(
        (key) => key.split(':')[0] === String(BODY_PARAMETER),
      );
      const action = this.reflector.get<boolean | undefined>(ACTION_BODY, handler) === true;
      use = !readsBody ? 'none' : action ? 'optional' : 'required';
      this.uses.set(handler, use);
    }
    return use;
  }
}

function assertNoFields(body: unknown): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw DomainError.validation([
      {
        path: '',
        code: 'invalid_type',
        message: 'This operation takes no fields: send no body, or {}.',
      },
    ]);
  }
  const fields = Object.keys(body);
  if (fields.length > 0) throw DomainError.validation(fields.map(unknownField));
}

function isForm(request: FastifyRequest): boolean {
  return (
    request.headers['content-type']
      ?.toLowerCase()
      .startsWith('application/x-www-form-urlencoded') ?? false
  );
}
