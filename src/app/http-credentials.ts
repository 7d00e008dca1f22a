import type { ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import { fromAnotherOrigin } from '../auth/browser-credentials';
import { CredentialRequest, NO_COOKIES } from '../auth/credential-request';
import type { CredentialTransport } from '../auth/credential-transport';
import type { RequestContext } from '../common/request-context';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the credential guard; read by `@Ctx()`, the throttler and the request log. */
    dukkadeeContext?: RequestContext;
  }
}

/**
 * The HTTP extractor, for REST and for the hosted UI's pages alike: the bearer token for the
 * API's strategies, the cookies (the staff session) and the host (which store a page is for).
 */
export function httpCredentials(request: FastifyRequest): CredentialRequest {
  return new CredentialRequest(
    request.headers.authorization,
    request.cookies ?? NO_COOKIES,
    request.headers.host,
    String(request.id),
    fromAnotherOrigin(request.headers),
  );
}

const request = (execution: ExecutionContext) =>
  execution.switchToHttp().getRequest<FastifyRequest>();

export const HTTP_CREDENTIAL_TRANSPORT: CredentialTransport = {
  credentials: (execution) => httpCredentials(request(execution)),
  resolved: (execution) => request(execution).dukkadeeContext,
  attach: (execution, context) => {
    request(execution).dukkadeeContext = context;
  },
};
