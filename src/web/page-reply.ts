import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { renderDocument } from './render';

export interface PageOptions {
  /** Where the page's forms may post besides this origin (the OAuth consent page: the app). */
  readonly formActions?: readonly string[];
  /** What other sites learn of the page's address when a link is followed. */
  readonly referrer?: 'no-referrer' | 'same-origin';
}

/**
 * The Content-Security-Policy of every page: scripts and styles from this origin only (htmx and
 * the stylesheet are served under /assets, nothing inline), images from here or inline data (the
 * stylesheet's icons), live updates from here, forms posting here, and no framing.
 */
export function contentSecurityPolicy(formActions: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `form-action ${["'self'", ...formActions].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * Sends an HTML page with the headers every page carries. Pages are never stored by a cache:
 * they show a signed-in person's data or carry a form's CSRF token.
 */
export function sendPage(
  reply: FastifyReply,
  status: number,
  html: string,
  options: PageOptions = {},
): void {
  void reply
    .status(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': contentSecurityPolicy(options.formActions),
      'x-frame-options': 'DENY',
      'referrer-policy': options.referrer ?? 'same-origin',
    })
    .send(html);
}

/** Renders the page and sends it (sendPage). */
export function sendDocument(
  reply: FastifyReply,
  status: number,
  page: VNode,
  options: PageOptions = {},
): void {
  sendPage(reply, status, renderDocument(page), options);
}

/** After a form's POST: the browser loads the next page with GET (303 See Other). */
export function seeOther(reply: FastifyReply, location: string): void {
  void reply.header('cache-control', 'no-store').redirect(location, 303);
}
