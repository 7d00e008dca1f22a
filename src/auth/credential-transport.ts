import type { ExecutionContext } from '@nestjs/common';
import type { RequestContext } from '../common/request-context';
import type { CredentialRequest } from './credential-request';

/**
 * How one kind of Nest execution context (`http`, `graphql`) carries credentials. The module
 * that owns the transport registers it, so the guards and `@Ctx()` serve every transport without
 * knowing any.
 */
export interface CredentialTransport {
  /** What the strategies read of the request. */
  credentials(execution: ExecutionContext): CredentialRequest;
  /** The context resolved earlier for the same request (another root field of one operation). */
  resolved(execution: ExecutionContext): RequestContext | undefined;
  /** Keeps the context where handlers (`@Ctx()`), the throttler and the request log read it. */
  attach(execution: ExecutionContext, context: RequestContext): void;
}

const transports = new Map<string, CredentialTransport>();

/** Stateless by design: every application in the process shares the registration. */
export function registerCredentialTransport(type: string, transport: CredentialTransport): void {
  transports.set(type, transport);
}

export function credentialTransportOf(execution: ExecutionContext): CredentialTransport {
  const transport = transports.get(execution.getType());
  if (!transport)
    throw new Error(`No credential transport is registered for ${execution.getType()}`);
  return transport;
}

/** The request context the credential guard built for this execution, if it ran. */
export function requestContextOf(execution: ExecutionContext): RequestContext | undefined {
  return transports.get(execution.getType())?.resolved(execution);
}
