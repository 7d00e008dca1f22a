import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { APP_STYLESHEET } from './app-stylesheet';
import { LIVE_SCRIPT } from './live-script';

export interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
  /** The URL pages link to: it names the content's hash, so it can be cached for good. */
  readonly url: string;
}

/** Files of npm packages, served by the app itself: pages need no CDN and no bundler. */
const PACKAGE_FILES = {
  'pico.css': ['@picocss/pico/css/pico.min.css', 'text/css'],
  'htmx.js': ['htmx.org/dist/htmx.min.js', 'text/javascript'],
} as const;

function asset(name: string, body: Buffer, contentType: string): Asset {
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12);
  return { body, contentType: `${contentType}; charset=utf-8`, url: `/assets/${hash}/${name}` };
}

function load(): ReadonlyMap<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [name, [file, type]] of Object.entries(PACKAGE_FILES))
    assets.set(name, asset(name, readFileSync(require.resolve(file)), type));
  assets.set('app.css', asset('app.css', Buffer.from(APP_STYLESHEET), 'text/css'));
  assets.set('live.js', asset('live.js', Buffer.from(LIVE_SCRIPT), 'text/javascript'));
  return assets;
}

/** The stylesheets and scripts of every page, read once. */
export const ASSETS: ReadonlyMap<string, Asset> = load();

export function assetUrl(name: 'pico.css' | 'htmx.js' | 'app.css' | 'live.js'): string {
  return ASSETS.get(name)!.url;
}
