import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { DomainError, FieldError } from '../errors/domain-error';

/**
 * Checks input against its DTO class and reports every invalid field with a dotted path. Unknown
 * fields are errors (not silently dropped), so a typo never goes unnoticed. REST runs it as a pipe;
 * GraphQL mutations run it in the resolver, so their failures become `userErrors`.
 */
export function validateInput<T extends object>(type: ClassConstructor<T>, value: unknown): T {
  const instance = plainToInstance(type, ordinaryObjects(value) ?? {}, {
    exposeDefaultValues: true,
  });
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) throw DomainError.validation(flatten(errors, ''));
  return instance;
}

function flatten(errors: readonly ValidationError[], parent: string): FieldError[] {
  return errors.flatMap((error) => {
    const path = parent === '' ? error.property : `${parent}.${error.property}`;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) =>
      constraint === 'whitelistValidation'
        ? unknownField(path)
        : { path, code: constraintCode(constraint), message },
    );
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/** A field the operation does not define, at its dotted path. */
export function unknownField(path: string): FieldError {
  return { path, code: 'unknown_field', message: `Unknown field "${path}".` };
}

function constraintCode(constraint: string): string {
  return constraint.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * graphql-js builds input objects without a prototype (`Object.create(null)`), which
 * class-transformer does not map onto DTO classes; a structured clone makes them ordinary objects.
 */
function ordinaryObjects(value: unknown): unknown {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === null
    ? structuredClone(value)
    : value;
}
