import { Inject, Injectable } from '@nestjs/common';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { APP_CONFIG, AppConfig } from '../config/config';

/**
 * The attributes of every cookie a page sets: `HttpOnly` (no script reads it), `SameSite=Lax`
 * (not sent on another site's POST), host-only (no `Domain`: a cookie of one store's host never
 * reaches another store's), and `Secure` when the platform is served over HTTPS.
 */
@Injectable()
export class PageCookies {
  private readonly secure: boolean;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.secure = config.publicUrl.startsWith('https:');
  }

  options(path: string, maxAgeSeconds?: number): CookieSerializeOptions {
    return {
      path,
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secure,
      ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
    };
  }
}
