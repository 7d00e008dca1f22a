import { createHash, randomBytes } from 'node:crypto';

/**
 * Driving the OAuth sign-in and consent pages without a browser, for the tests and the
 * benchmark alike: a cookie jar, no redirects followed, and the pages' forms as they are sent.
 * (Chromium drives the same pages in test/oauth-client.e2e-spec.ts.)
 */

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface PageResponse {
  status: number;
  headers: Headers;
  html: string;
  location: string | null;
}

/** A browser stand-in: a cookie jar, no automatic redirects, and the forms of the pages. */
export class Browser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly baseUrl: string) {}

  async get(path: string): Promise<PageResponse> {
    return this.send('GET', path);
  }

  async post(path: string, fields: Record<string, string>): Promise<PageResponse> {
    return this.send('POST', path, new URLSearchParams(fields).toString());
  }

  /** The hidden inputs of the page's form (the CSRF token, the authorization parameters). */
  static hiddenFields(html: string): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const match of html.matchAll(
      /<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/?>/g,
    ))
      fields[unescape(match[1])] = unescape(match[2]);
    return fields;
  }

  static formAction(html: string): string {
    const match = /<form method="post" action="([^"]+)"[^>]*>/.exec(html);
    if (!match) throw new Error(`no form on the page: ${html.slice(0, 300)}`);
    return unescape(match[1]);
  }

  clearCookies(): void {
    this.cookies.clear();
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  private async send(method: string, path: string, body?: string): Promise<PageResponse> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0)
      headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body,
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = pair.split('=');
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return {
      status: response.status,
      headers: response.headers,
      html: await response.text(),
      location: response.headers.get('location'),
    };
  }
}

function unescape(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function authorizePath(parameters: Record<string, string | undefined>): string {
  const defined = Object.entries(parameters).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  return `/oauth/authorize?${new URLSearchParams(defined).toString()}`;
}

/**
 * Walks the browser through sign-in (if needed) and consent, approves, and answers where the
 * approval redirected (the app's redirect URI with `code` or `error`).
 */
export async function approve(
  browser: Browser,
  path: string,
  staff: { email: string; password: string },
  decision: 'approve' | 'deny' = 'approve',
): Promise<URL> {
  let page = await browser.get(path);
  if (page.status === 200 && page.html.includes('name="password"')) {
    const signIn = await browser.post(Browser.formAction(page.html), {
      ...Browser.hiddenFields(page.html),
      email: staff.email,
      password: staff.password,
    });
    if (signIn.status !== 303) throw new Error(`sign-in failed: ${signIn.status} ${signIn.html}`);
    page = await browser.get(signIn.location!);
  }
  if (page.status !== 200) throw new Error(`no consent page: ${page.status} ${page.html}`);
  const fields = Browser.hiddenFields(page.html);
  const decided = await browser.post('/oauth/authorize', { ...fields, decision });
  if (decided.status !== 303) throw new Error(`consent failed: ${decided.status} ${decided.html}`);
  return new URL(decided.location!);
}
