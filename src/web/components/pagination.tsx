/** "Next page" (and back to the first) for a cursor-paged list; keeps the page's other query. */
export function Pagination(props: {
  path: string;
  nextCursor: string | null;
  /** The list was opened at a cursor: offer the way back to its start. */
  atCursor: boolean;
  query?: Readonly<Record<string, string | undefined>>;
}) {
  const link = (cursor?: string) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(props.query ?? {}))
      if (value) params.set(name, value);
    if (cursor) params.set('cursor', cursor);
    const search = params.toString();
    return search ? `${props.path}?${search}` : props.path;
  };
  if (!props.nextCursor && !props.atCursor) return null;
  return (
    <nav aria-label="Pages" class="actions">
      {props.atCursor && <a href={link()}>First page</a>}
      {props.nextCursor && (
        <a href={link(props.nextCursor)} rel="next">
          Next page
        </a>
      )}
    </nav>
  );
}
