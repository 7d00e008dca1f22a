import { applyDecorators, SetMetadata, Type } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';

export const ACTION_BODY = 'dukkadee:action-body';

/**
 * An action (`POST …/{id}/cancel`): its body is optional, because clients send `{}`, an empty
 * body or none on a POST that needs nothing. With a DTO, the handler reads it with `@Body()` and
 * receives `{}` when nothing was sent (RequestBodyInterceptor); without one the action takes no
 * fields, and `{}` or an empty body is the same as none. Either way the OpenAPI document shows
 * the optional body, so generated clients may send `{}`.
 */
export function ActionBody(dto?: Type<unknown>): MethodDecorator {
  return applyDecorators(
    SetMetadata(ACTION_BODY, true),
    ApiBody(
      dto
        ? { type: dto, required: false }
        : {
            required: false,
            description: 'Takes no fields: send nothing or {}',
            schema: { type: 'object', properties: {}, additionalProperties: false },
          },
    ),
  );
}
