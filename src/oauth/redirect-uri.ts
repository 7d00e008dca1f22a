import { applyDecorators } from '@nestjs/common';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  registerDecorator,
  ValidationOptions,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * What an app may register as a redirect URI (RFC 9700 §2.1, RFC 8252 for native apps): an
 * absolute `https` URL; `http` only on a loopback host; or a private-use scheme of reversed
 * domain form (`com.example.app:/callback`). Never a fragment, never credentials in the URL.
 */
export function isAllowedRedirectUri(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 2000 || !URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.hash !== '' || value.includes('#') || url.username || url.password) return false;
  if (url.protocol === 'https:') return url.hostname !== '';
  if (url.protocol === 'http:') return LOOPBACK_HOSTS.has(url.hostname);
  return /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(url.protocol);
}

export function IsRedirectUri(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isRedirectUri',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message:
          'each redirect URI must be an https:// URL, an http:// URL on a loopback host, or a private-use scheme such as com.example.app:/callback, without a fragment',
        ...options,
      },
      validator: { validate: isAllowedRedirectUri },
    });
}

/** An app's list of redirect URIs: 1 to 10 distinct ones, each allowed by the rules above. */
export function RedirectUris(): PropertyDecorator {
  // Listed in the order stacked decorators would apply (bottom first): class-validator checks
  // the type first and reports the first failure.
  return applyDecorators(
    // A custom `each` rule leaves the converter without an item type: state it.
    JSONSchema((schema) => ({
      ...schema,
      items: { type: 'string', format: 'uri', maxLength: 2000 },
    })),
    IsRedirectUri({ each: true }),
    ArrayUnique(),
    ArrayMaxSize(10),
    ArrayMinSize(1),
    IsArray(),
  );
}
