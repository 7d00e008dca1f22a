import { registerDecorator, ValidationOptions } from 'class-validator';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** An ISO 4217 currency code that the runtime knows, in upper case. */
export function IsCurrencyCode(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCurrencyCode',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must be an ISO 4217 currency code such as "EUR"', ...options },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && CURRENCIES.has(value),
      },
    });
}

export const HANDLE_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
