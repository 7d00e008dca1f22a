import { Module } from '@nestjs/common';
import { CsrfTokens } from './csrf-tokens';
import { PageCookies } from './page-cookies';

/** What every HTML page shares: its cookies and its forms' CSRF tokens. */
@Module({
  providers: [PageCookies, CsrfTokens],
  exports: [PageCookies, CsrfTokens],
})
export class WebModule {}
