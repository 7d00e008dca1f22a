import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/**
 * A whole page as HTML. Preact escapes every string it renders (text and attribute values), so
 * what a merchant or buyer typed is inert wherever a template puts it; nothing here builds HTML
 * from strings.
 */
export function renderDocument(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}

/** Part of a page: an htmx swap or a live update. */
export function renderFragment(fragment: VNode): string {
  return renderToString(fragment);
}
