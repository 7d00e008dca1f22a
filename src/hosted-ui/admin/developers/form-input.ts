import { DomainError } from '../../../common/errors/domain-error';
import type { FieldErrors } from '../../../web/components/forms';

/** A form's repeated field (checkboxes) as a list: absent is none, one box checked is one. */
export function listOf(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A form's single field; a repeated one is kept as posted, so validation refuses it. */
export function textOf(value: unknown): unknown {
  return value ?? '';
}

/**
 * The messages of a refused input per form field, as REST reports them (`scopes.1` is shown
 * beside `scopes`); undefined when the error is not about the input, so it stands.
 */
export function fieldErrorsOf(error: unknown): FieldErrors | undefined {
  if (!(error instanceof DomainError) || error.status !== 400 || !error.details.errors?.length)
    return undefined;
  const errors: Record<string, string> = {};
  for (const { path, message } of error.details.errors) {
    const field = path.split('.')[0] || 'form';
    errors[field] = errors[field] ? `${errors[field]} ${message}` : message;
  }
  return errors;
}
