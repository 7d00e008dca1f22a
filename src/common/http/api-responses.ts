import { applyDecorators, Type } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiResponse,
  getSchemaPath,
  ReferenceObject,
  SchemaObject,
} from '@nestjs/swagger';

/** A response with one resource, documented with its class's schema. */
export const ApiResource = (type: Type<unknown>, status = 200) =>
  ApiResponse({ status, type, description: 'The resource' });

/** A keyset page `{ data: [...], nextCursor }` of one resource. */
export const ApiPage = (type: Type<unknown>) =>
  applyDecorators(ApiExtraModels(type), ApiPageOf({ $ref: getSchemaPath(type) }));

/** A keyset page whose items follow `items` (a `oneOf` of several resources, for instance). */
export const ApiPageOf = (items: SchemaObject | ReferenceObject) =>
  ApiResponse({
    status: 200,
    description:
      'One page; nextCursor is null on the last page, and Link: <…>; rel="next" is sent while there is a next page',
    schema: {
      type: 'object',
      required: ['data', 'nextCursor'],
      properties: {
        data: { type: 'array', items },
        nextCursor: { type: 'string', nullable: true },
      },
    },
  });
