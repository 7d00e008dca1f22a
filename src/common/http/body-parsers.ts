import { TextDecoder } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error';
import { MAX_BODY_BYTES, parseStrictJson } from './strict-json';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The bodies the API reads: JSON only, parsed strictly (see parseStrictJson). An empty body is no
 * body, whatever Content-Type it declares: `fetch` with a JSON header, axios and generated clients
 * send `Content-Type: application/json` with nothing after it on a POST that needs no body, and
 * some clients label an empty body `text/plain`. Each parser answers `undefined` for it, and the
 * route decides what no body means: an action runs (RequestBodyInterceptor), a create answers 400
 * (StrictValidationPipe). Any other non-empty body answers 415.
 */
export function registerBodyParsers(app: NestFastifyApplication): void {
  app.useBodyParser(
    'application/json',
    { bodyLimit: MAX_BODY_BYTES },
    async (_request: unknown, body: Buffer) =>
      body.length === 0 ? undefined : parseStrictJson(decodeUtf8(body)),
  );
  const fastify = app.getHttpAdapter().getInstance();
  // Without this, text/plain would reach validation as a string instead of answering 415.
  fastify.removeContentTypeParser('text/plain');
  // Every other type (and a body without Content-Type): nothing to read unless it is declared empty.
  fastify.addContentTypeParser('*', (request, _payload, done) => {
    // An unknown route answers 404 whatever it was sent, as without this parser.
    if (request.is404 || declaresEmptyBody(request)) done(null, undefined);
    else done(unsupportedMediaType(), undefined);
  });
}

/**
 * A request with `Content-Length: 0`, or with neither a length nor chunks, which HTTP/1.1 defines
 * as empty (RFC 9112 §6.3; `fetch` sends a DELETE's empty body so). A chunked body of another type
 * than JSON is refused without being read, even when it turns out empty: no client sends that.
 */
function declaresEmptyBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (
    (length === undefined || length === '0') && request.headers['transfer-encoding'] === undefined
  );
}

export function unsupportedMediaType(): Error {
  return new DomainError('unsupported_media_type', 'Send the request body as application/json.');
}

function decodeUtf8(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw DomainError.validation([
      { path: '', code: 'invalid_encoding', message: 'The request body is not valid UTF-8.' },
    ]);
  }
}
