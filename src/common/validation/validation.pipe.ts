import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { DomainError } from '../errors/domain-error';
import { validateInput } from './validate-input';

const PRIMITIVES = new Set<unknown>([String, Boolean, Number, Array, Object]);

/**
 * Validates REST bodies and queries against their DTO classes (see validateInput). Classes with
 * no validation rules pass through: those are GraphQL input types (Nest hands GraphQL arguments
 * to pipes as 'body' too), which their resolvers validate against the same DTOs, so that a
 * failure can become a mutation's `userErrors` instead of a top-level error.
 */
@Injectable()
export class StrictValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const type = metadata.metatype;
    if (!type || PRIMITIVES.has(type)) return value;
    if (metadata.type !== 'body' && metadata.type !== 'query') return value;
    if (!hasValidationRules(type)) return value;
    if (metadata.type === 'body' && value === undefined) {
      // No body, or an empty one (body-parsers.ts); an action's optional body is `{}` by now.
      throw DomainError.validation([
        {
          path: '',
          code: 'body_required',
          message: 'This operation takes a JSON object as its body.',
        },
      ]);
    }
    if (
      metadata.type === 'body' &&
      (value === null || typeof value !== 'object' || Array.isArray(value))
    ) {
      throw DomainError.validation([
        { path: '', code: 'invalid_type', message: 'The body must be a JSON object.' },
      ]);
    }
    return validateInput(type as new () => object, value);
  }
}

const rulesByClass = new WeakMap<object, boolean>();

function hasValidationRules(type: object): boolean {
  let has = rulesByClass.get(type);
  if (has === undefined) {
    has =
      getMetadataStorage().getTargetValidationMetadatas(type as new () => object, '', true, false)
        .length > 0;
    rulesByClass.set(type, has);
  }
  return has;
}
