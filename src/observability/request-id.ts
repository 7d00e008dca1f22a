import type { IncomingMessage } from 'node:http';
import { newId } from '../common/ids';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Echoes a client's `X-Request-Id` when it is a sane token; otherwise mints `req_<ulid>`. */
export function requestIdFor(request: IncomingMessage): string {
  const sent = request.headers['x-request-id'];
  if (typeof sent === 'string' && CLIENT_REQUEST_ID.test(sent)) return sent;
  return newRequestId();
}

export function newRequestId(): string {
  return newId('req');
}
