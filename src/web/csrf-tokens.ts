import { Injectable } from '@nestjs/common';
import Tokens from '@fastify/csrf';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PageCookies } from './page-cookies';

/** The cookie holding this browser's CSRF secret, and the form field carrying a token of it. */
export const CSRF_COOKIE = 'dk_csrf';
export const CSRF_FIELD = '_csrf';
/** A secret lasts as long as a staff session: a form left open for a working day still posts. */
const CSRF_SECRET_SECONDS = 8 * 60 * 60;

/**
 * CSRF tokens for every form of every page (double submit, `@fastify/csrf`): the browser holds a
 * secret in an HttpOnly cookie, each form carries a token made from it, and a POST is accepted
 * only if its token matches the secret. Another site can make the browser post, but cannot read
 * a token to put in the form.
 */
@Injectable()
export class CsrfTokens {
  private readonly tokens = new Tokens({ userInfo: false });
  /** The secret a request created, so that all forms of one page share it. */
  private readonly created = new WeakMap<FastifyRequest, string>();

  constructor(private readonly cookies: PageCookies) {}

  /** A token for a form of the page being answered; sets the secret cookie on first use. */
  issue(request: FastifyRequest, reply: FastifyReply): string {
    let secret = request.cookies[CSRF_COOKIE] ?? this.created.get(request);
    if (!secret) {
      secret = this.tokens.secretSync();
      this.created.set(request, secret);
      void reply.setCookie(CSRF_COOKIE, secret, this.cookies.options('/', CSRF_SECRET_SECONDS));
    }
    return this.tokens.create(secret);
  }

  /** Whether the token posted with a form was made from this browser's secret. */
  verify(request: FastifyRequest, token: unknown): boolean {
    const secret = request.cookies[CSRF_COOKIE];
    return typeof token === 'string' && !!secret && this.tokens.verify(secret, token);
  }
}
