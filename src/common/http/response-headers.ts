/**
 * What an answer whose route declares nothing says: only this client may keep it, and only to
 * revalidate it (with its ETag) before reuse. Most answers depend on the credential that asked,
 * so no shared cache may hand one to another client, and a client never reuses a stale copy.
 */
export const DEFAULT_CACHE_CONTROL = 'private, no-cache';

/** One year: what browsers and preload lists expect of a host that is HTTPS-only for good. */
const HSTS_MAX_AGE_SECONDS = 31_536_000;

/**
 * The headers every answer carries whatever its route: `nosniff`, so a browser never runs a JSON
 * or text answer as a script or a page, and, when the platform is served over HTTPS
 * (`PUBLIC_URL`), `Strict-Transport-Security`, so a browser never again asks over plain HTTP.
 * Browsers ignore HSTS on plain HTTP answers, so behind a proxy that terminates TLS it is sent
 * on what the app sees as HTTP. No `includeSubDomains`: the hosts below the platform's (stores'
 * domains among them) are the operator's to decide.
 */
export function securityHeaders(publicUrl: string): Readonly<Record<string, string>> {
  return {
    'x-content-type-options': 'nosniff',
    ...(new URL(publicUrl).protocol === 'https:'
      ? { 'strict-transport-security': `max-age=${HSTS_MAX_AGE_SECONDS}` }
      : {}),
  };
}

/**
 * The `Cache-Control` of an answer: the route's declaration (`@CacheControl`, `@CarriesSecret`)
 * always; else what the handler or the library that served it set (static assets, the OAuth
 * answers, GraphQL); else the default.
 */
export function cacheControlOf(declared: string | undefined, alreadySet: unknown): string {
  if (declared) return declared;
  if (typeof alreadySet === 'string' && alreadySet !== '') return alreadySet;
  return DEFAULT_CACHE_CONTROL;
}
