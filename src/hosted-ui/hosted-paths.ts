/**
 * The paths of the hosted UI's pages (storefront, admin, their assets and live streams). Every
 * other path belongs to the API, OAuth, docs, health or metrics, which answer on every host and
 * are described by the OpenAPI document (CONTRACT.md).
 */
const HOSTED_PREFIXES = [
  '/admin',
  '/assets',
  '/products',
  '/cart',
  '/checkout',
  '/orders',
  '/live',
];

export function isHostedPagePath(path: string): boolean {
  return (
    path === '/' ||
    HOSTED_PREFIXES.some(
      (prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`),
    )
  );
}

/** The paths that answer on every host (CONTRACT.md, Hosted UI, "which store"). */
const EVERY_HOST_PREFIXES = [
  '/v1',
  '/graphql',
  '/oauth',
  '/.well-known',
  '/health',
  '/metrics',
  '/docs',
];

export function answersOnEveryHost(url: string): boolean {
  const path = url.split('?', 1)[0];
  return EVERY_HOST_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}
