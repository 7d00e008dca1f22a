import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { DomainError, FieldError } from '../errors/domain-error';

const PRIMITIVES = new Set<unknown>([String, Boolean, Number, Array, Object]);

/**
 * Validates bodies and queries against their DTO classes and reports every invalid field with a
 * dotted path. Unknown fields are errors (not silently dropped), so a typo never goes unnoticed.
 */
@Injectable()
export class StrictValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const type = metadata.metatype;
    if (!type || PRIMITIVES.has(type) || metadata.type === 'custom') return value;
    if (
      metadata.type === 'body' &&
      (value === null || typeof value !== 'object' || Array.isArray(value))
    ) {
      throw DomainError.validation([
        { path: '', code: 'invalid_type', message: 'The body must be a JSON object.' },
      ]);
    }
    const instance = plainToInstance(type, value ?? {}, { exposeDefaultValues: true });
    const errors = validateSync(instance as object, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      stopAtFirstError: true,
      validationError: { target: false, value: false },
    });
    if (errors.length > 0) throw DomainError.validation(flatten(errors, ''));
    return instance;
  }
}

function flatten(errors: readonly ValidationError[], parent: string): FieldError[] {
  return errors.flatMap((error) => {
    const path = parent === '' ? error.property : `${parent}.${error.property}`;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      path,
      code: constraint === 'whitelistValidation' ? 'unknown_field' : constraintCode(constraint),
      message: constraint === 'whitelistValidation' ? `Unknown field "${path}".` : message,
    }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

function constraintCode(constraint: string): string {
  return constraint.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}
