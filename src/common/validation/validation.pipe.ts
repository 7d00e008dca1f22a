import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { validateInput } from './validate-input';

const PRIMITIVES = new Set<unknown>([String, Boolean, Number, Array, Object]);

/**
 * Validates REST bodies and queries against their DTO classes (see validateInput). Other
 * parameters (GraphQL arguments carry numeric parameter types) pass through: GraphQL resolvers
 * validate inside the resolver, where a failure can become a mutation's `userErrors`.
 */
@Injectable()
export class StrictValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const type = metadata.metatype;
    if (!type || PRIMITIVES.has(type)) return value;
    if (metadata.type !== 'body' && metadata.type !== 'query') return value;
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
