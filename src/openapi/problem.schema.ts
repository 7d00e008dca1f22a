import type { OpenAPIObject } from '@nestjs/swagger';

type SchemaObject = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];
import { ERROR_STATUS } from '../common/errors/domain-error';

/** RFC 9457 problem details as this API sends them (see docs/api.md#errors). */
export const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', format: 'uri', description: 'Documents the code' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
    requestId: { type: 'string', description: 'Also in the X-Request-Id header' },
    errors: {
      type: 'array',
      description: 'Every invalid field, for invalid input',
      items: {
        type: 'object',
        required: ['path', 'code', 'message'],
        properties: {
          path: { type: 'string', example: 'variants.0.price' },
          code: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
    currentVersion: { type: 'integer', description: 'With version_conflict' },
  },
};
