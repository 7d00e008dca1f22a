import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';

/** The header in the OpenAPI document of every handler that reads it, and only those. */
function documentIfMatch(target: object, key: string | symbol | undefined): void {
  if (key === undefined) return;
  ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'An ETag of this resource ("3"); a stale one answers 412 version_conflict',
  })(target, key, Object.getOwnPropertyDescriptor(target, key)!);
}

const ENTITY_TAG = /^(?:W\/)?"(\d{1,9})"$|^(\d{1,9})$/;

/**
 * The version an `If-Match` header demands, or undefined without one. Our ETags are versions
 * (`"3"`); a bare number is accepted too. `*` matches any version, like no header.
 */
export const IfMatch = createParamDecorator(
  (_data: unknown, execution: ExecutionContext): number | undefined => {
    const header = execution.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
    if (header === undefined || header.trim() === '*') return undefined;
    const match = ENTITY_TAG.exec(header.trim());
    if (!match) {
      throw DomainError.validation([
        {
          path: 'If-Match',
          code: 'invalid_header',
          message: 'If-Match must be an ETag this API sent, such as "3".',
        },
      ]);
    }
    return Number(match[1] ?? match[2]);
  },
  [documentIfMatch],
);

/** 412 with the current version, for a write whose If-Match (or expectedVersion) is stale. */
export function versionConflict(currentVersion: number): DomainError {
  return new DomainError(
    'version_conflict',
    `The resource is at version ${currentVersion}; fetch it again and retry.`,
    {
      extra: { currentVersion },
    },
  );
}
