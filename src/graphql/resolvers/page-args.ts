/**
 * Relay's `first`/`after` as the services' `limit`/`cursor`, so GraphQL and REST share one set of
 * bounds (1–250, default 50) and one cursor format.
 */
export function pageQuery(first?: number | null, after?: string | null) {
  return {
    ...(first === undefined || first === null ? {} : { limit: first }),
    ...(after === undefined || after === null ? {} : { cursor: after }),
  };
}
