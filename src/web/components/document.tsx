import type { ComponentChildren } from 'preact';
import { assetUrl } from '../assets';

/** htmx without what the CSP forbids: no eval, no inline indicator styles, no inline scripts. */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  historyCacheSize: 0,
});

/**
 * The HTML document every page shares: Pico CSS and the pages' own stylesheet, htmx and the live
 * script, all served by the app under /assets. Scripts are deferred and only add to the page:
 * everything works without them.
 */
export function Document(props: {
  title: string;
  /** Whose page it is: the store's name, or the platform's. */
  site: string;
  children: ComponentChildren;
}) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{`${props.title} · ${props.site}`}</title>
        {/* No icon to fetch: the browser would ask for /favicon.ico on every host. */}
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={assetUrl('pico.css')} />
        <link rel="stylesheet" href={assetUrl('app.css')} />
        <script src={assetUrl('htmx.js')} defer />
        <script src={assetUrl('live.js')} defer />
      </head>
      <body>{props.children}</body>
    </html>
  );
}
