import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CSRF_FIELD, CsrfTokens } from '../web/csrf-tokens';
import { FormExpired } from './page-errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Every form a hosted page posts carries its CSRF token; without one, nothing changes (403). */
@Injectable()
export class FormCsrfGuard implements CanActivate {
  constructor(private readonly csrf: CsrfTokens) {}

  canActivate(execution: ExecutionContext): boolean {
    const request = execution.switchToHttp().getRequest<FastifyRequest>();
    if (SAFE_METHODS.has(request.method)) return true;
    const body = request.body as Record<string, unknown> | undefined;
    if (!this.csrf.verify(request, body?.[CSRF_FIELD])) throw new FormExpired();
    return true;
  }
}
