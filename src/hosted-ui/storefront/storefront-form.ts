import { singleValues } from '../../web/form-body';
import { PageError } from '../page-errors';

/** A form that is not one of ours (a repeated or binary field): refused with a page. */
export class BadForm extends PageError {
  constructor() {
    super(400, 'This form could not be read', 'Go back, reload the page and try again.');
  }
}

/** The posted form's fields, one string each. */
export function formFields(body: unknown): Record<string, string> {
  const form = singleValues(body as Record<string, unknown> | undefined);
  if ('invalid' in form) throw new BadForm();
  return form.values;
}

/** A quantity as typed into a form, or undefined when it is not a whole number in range. */
export function quantityOf(text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || !/^\d{1,4}$/.test(text.trim())) return undefined;
  const quantity = Number(text.trim());
  return quantity >= min && quantity <= max ? quantity : undefined;
}
