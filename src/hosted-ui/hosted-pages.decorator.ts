import { applyDecorators, Controller, UseFilters, UseGuards } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/require-scopes.decorator';
import { AdminSessionGuard } from './admin/admin-session.guard';
import { FormCsrfGuard } from './form-csrf.guard';
import { HostedPageFilter } from './hosted-page.filter';
import { HostedStoreGuard } from './hosted-store.guard';

/**
 * A controller of hosted pages: the store its Host names (else the 404 page), a CSRF token on
 * every form it accepts, errors as pages, and none of the API's bearer credentials or request
 * throttling (people, not API clients; sign-in counts its failures). `admin` pages also need a
 * staff session on this store's host (else the sign-in page). Not in the OpenAPI document, which
 * describes the API (CONTRACT.md).
 */
export function HostedPages(path: string, options: { admin?: boolean } = {}) {
  return applyDecorators(
    Controller(path),
    Public(),
    SkipThrottle(),
    ApiExcludeController(),
    UseGuards(HostedStoreGuard, ...(options.admin ? [AdminSessionGuard] : []), FormCsrfGuard),
    UseFilters(HostedPageFilter),
  );
}
