/**
 * The validators and links REST answers carry, computed in one place for the interceptors that
 * set them and for the response cache that stores them with the bytes.
 */

/** `"<version>"` of a single resource, or undefined for anything without a numeric version. */
export function versionTag(result: unknown): string | undefined {
  const version = (result as { version?: unknown } | null)?.version;
  return typeof version === 'number' ? `"${version}"` : undefined;
}

/** `<…?cursor=…>; rel="next"`: the request's own URL with the page's next cursor. */
export function nextPageLink(requestUrl: string, publicUrl: string, nextCursor: string): string {
  const url = new URL(requestUrl, publicUrl);
  url.searchParams.set('cursor', nextCursor);
  return `<${url.toString()}>; rel="next"`;
}
