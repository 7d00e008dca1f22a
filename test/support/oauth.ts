import { createHash, randomBytes } from 'node:crypto';
import type { TestApp } from './test-app';

export interface RegisteredApp {
  id: string;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
}

export const REDIRECT_URI = 'https://app.example.com/oauth/callback';

export async function registerApp(
  app: TestApp,
  options: { confidential: boolean; scopes: string[]; storeId?: string; redirectUris?: string[] },
): Promise<RegisteredApp> {
  const redirectUris = options.redirectUris ?? [REDIRECT_URI];
  const created = await app.request('POST', '/v1/platform/apps', {
    token: app.adminToken,
    body: {
      name: `Test app ${randomBytes(2).toString('hex')}`,
      redirectUris,
      scopes: options.scopes,
      confidential: options.confidential,
      ...(options.storeId ? { storeId: options.storeId } : {}),
    },
  });
  if (created.status !== 201) throw new Error(`app registration failed: ${created.text}`);
  return {
    id: created.body.id,
    clientId: created.body.clientId,
    clientSecret: created.body.clientSecret,
    redirectUri: redirectUris[0],
  };
}

export async function createStaff(
  app: TestApp,
  storeId: string,
  email: string,
  password: string,
): Promise<string> {
  const staff = await app.request('POST', `/v1/platform/stores/${storeId}/staff`, {
    token: app.adminToken,
    body: { email, password, role: 'owner' },
  });
  if (staff.status !== 201) throw new Error(`staff creation failed: ${staff.text}`);
  return staff.body.id;
}

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
    for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      fields[unescape(match[1])] = unescape(match[2]);
    return fields;
  }

  static formAction(html: string): string {
    const match = /<form method="post" action="([^"]+)">/.exec(html);
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

export function tokenRequest(
  baseUrl: string,
  form: Record<string, string>,
  basic?: { clientId: string; clientSecret: string },
) {
  return formPost(baseUrl, '/oauth/token', form, basic);
}

export async function formPost(
  baseUrl: string,
  path: string,
  form: Record<string, string>,
  basic?: { clientId: string; clientSecret: string },
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (basic)
    headers.authorization = `Basic ${Buffer.from(`${basic.clientId}:${basic.clientSecret}`).toString('base64')}`;
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}
