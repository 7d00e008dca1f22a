import type { IncomingHttpHeaders } from 'node:http';
import { DomainError } from '../common/errors/domain-error';
import type { RequestContext } from '../common/request-context';

/**
 * Whether a web page of another origin sent the request. Browsers say so in `Sec-Fetch-Site`;
 * those that do not send it always send `Origin` on a cross-origin request, so its host is
 * compared with the one addressed. Other clients send neither. (Go's CrossOriginProtection and
 * Nest's `enableCsrfProtection` decide the same way; Nest's is not public API, and it leaves
 * GET alone, where a key in a page is exposed just the same.)
 */
export function fromAnotherOrigin(headers: IncomingHttpHeaders): boolean {
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== (headers.host ?? '').toLowerCase();
  } catch {
    return true; // "null" (a sandboxed frame, a file) is a page of no origin we serve
  }
}

/**
 * API keys and the platform admin token are server-side secrets: a key in a web page is a key
 * every visitor can copy. A page of another origin may present an OAuth access token only
 * (a public app with PKCE: scoped to what the merchant approved, short-lived, revocable), as
 * Stripe's pages use publishable keys and Shopify's Admin API refuses browsers. Refused before
 * anything runs, so a write is never made for a page that could not read its answer.
 */
export function assertUsableFrom(context: RequestContext, fromAnotherOrigin: boolean): void {
  if (context.actor.type === 'oauth_app' || !fromAnotherOrigin) return;
  throw new DomainError(
    'forbidden',
    'API keys are server-side secrets and are refused from web pages of other origins; a browser app authenticates with an OAuth access token (docs/authentication.md).',
  );
}
