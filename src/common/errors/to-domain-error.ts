import { HttpException } from '@nestjs/common';
import { DomainError, ErrorCode } from './domain-error';

/**
 * Says which domain error an infrastructure error means (a lost database connection, a
 * deadlock), or undefined when it is none it knows. The layer that knows the error provides it
 * (`database/postgres-errors.ts`) and the application plugs it in, so this module, which every
 * other one imports, depends on none of them.
 */
export type ErrorTranslator = (error: unknown) => DomainError | undefined;

const translators: ErrorTranslator[] = [];

/** Plugs in a translator; adding the same one twice (two apps in one process) adds it once. */
export function addErrorTranslator(translator: ErrorTranslator): void {
  if (!translators.includes(translator)) translators.push(translator);
}

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'service_unavailable',
};

/**
 * Turns anything thrown on a request path into the one error type. Framework errors (Nest's HTTP
 * exceptions, Fastify's body parser errors) keep their 4xx meaning; anything else is an internal
 * error whose message is never shown to the client.
 */
export function toDomainError(error: unknown): { error: DomainError; unexpected: boolean } {
  if (error instanceof DomainError) return { error, unexpected: false };
  for (const translate of translators) {
    const translated = translate(error);
    if (translated) return { error: translated, unexpected: false };
  }
  const status = statusOf(error);
  const code = status === undefined ? undefined : STATUS_CODES[status];
  if (code && status! < 500) {
    return { error: new DomainError(code, clientMessage(error, code)), unexpected: false };
  }
  return {
    error: new DomainError(
      'internal_error',
      'Something went wrong on our side. Quote the request id when reporting it.',
    ),
    unexpected: true,
  };
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof HttpException) return error.getStatus();
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const status = (error as { statusCode: unknown }).statusCode;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

function clientMessage(error: unknown, code: ErrorCode): string {
  switch (code) {
    case 'payload_too_large':
      return 'The request body is larger than 1 MiB.';
    case 'unsupported_media_type':
      return 'Send the body as application/json.';
    case 'not_found':
      return 'No such resource.';
    case 'method_not_allowed':
      return 'This method is not allowed here.';
    default:
      return error instanceof Error && error.message ? error.message : 'The request is invalid.';
  }
}
