import { randomBytes } from 'node:crypto';
import { SCOPES } from '../../src/common/scopes';
import type { TestApp } from './test-app';

/** An answer of a hosted page, with the cookies it set applied to the jar that sent it. */
export interface PageAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  html: string;
  location: string | undefined;
}

/**
 * A browser without a browser: a cookie jar and requests sent with a `Host` header through
 * Fastify's inject (Node cannot resolve `<handle>.localhost`). Cookies are kept per host, as a
 * browser keeps host-only cookies; their Path is honoured.
 */
export class PageClient {
  private readonly jar = new Map<string, { value: string; path: string }>();

  constructor(
    private readonly app: TestApp,
    readonly host: string,
  ) {}

  get(path: string, headers: Record<string, string> = {}): Promise<PageAnswer> {
    return this.send('GET', path, undefined, headers);
  }

  /** Posts a form (urlencoded), as a browser does; repeated names for checkboxes. */
  post(
    path: string,
    form: Record<string, string | string[]>,
    headers: Record<string, string> = {},
  ): Promise<PageAnswer> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form))
      for (const one of Array.isArray(value) ? value : [value]) body.append(name, one);
    return this.send('POST', path, body.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    });
  }

  /** GETs the page, then posts its form (the first form whose action starts with `action`). */
  async submit(
    path: string,
    action: string,
    fields: Record<string, string | string[]>,
  ): Promise<PageAnswer> {
    const page = await this.get(path);
    return this.post(action, { _csrf: csrfTokenOf(page.html, action), ...fields });
  }

  cookie(name: string): string | undefined {
    return this.jar.get(name)?.value;
  }

  setCookie(name: string, value: string, path = '/'): void {
    this.jar.set(name, { value, path });
  }

  /** The cookies as the server set them (all attributes), for assertions. */
  private async send(
    method: string,
    path: string,
    payload: string | undefined,
    headers: Record<string, string>,
  ): Promise<PageAnswer> {
    const cookie = [...this.jar]
      .filter(([, entry]) => path.startsWith(entry.path))
      .map(([name, entry]) => `${name}=${entry.value}`)
      .join('; ');
    const response = await this.app.running.app.inject({
      method: method as 'GET',
      url: path,
      payload,
      headers: { host: this.host, ...(cookie ? { cookie } : {}), ...headers },
    });
    for (const set of response.cookies as {
      name: string;
      value: string;
      path?: string;
      maxAge?: number;
      expires?: Date;
    }[]) {
      const expired =
        set.maxAge === 0 || (set.expires && set.expires.getTime() < Date.now()) || set.value === '';
      if (expired) this.jar.delete(set.name);
      else this.jar.set(set.name, { value: set.value, path: set.path ?? '/' });
    }
    return {
      status: response.statusCode,
      headers: response.headers as PageAnswer['headers'],
      html: response.body,
      location: response.headers.location as string | undefined,
    };
  }
}

/** The CSRF token of the page's form that posts to `action` (or of its first form). */
export function csrfTokenOf(html: string, action?: string): string {
  const forms = html.split('<form').slice(1);
  const form =
    forms.find(
      (candidate) => action && candidate.includes(`action="${action.replace(/&/g, '&amp;')}`),
    ) ??
    forms.find((candidate) => action && candidate.includes(`action="${action.split('?')[0]}`)) ??
    forms[0];
  const match = form?.match(/name="_csrf" value="([^"]+)"/);
  if (!match) throw new Error(`no CSRF token for ${action ?? 'the first form'}`);
  return match[1];
}

export interface HostedStoreFixture {
  storeId: string;
  handle: string;
  host: string;
  /** An API key with every scope, to check over REST what the pages did. */
  key: string;
  owner: { email: string; password: string };
  staff: { email: string; password: string };
}

/** A store served at `<handle>.localhost`, with an owner and a staff account. */
export async function createHostedStore(app: TestApp): Promise<HostedStoreFixture> {
  const handle = `shop-${randomBytes(4).toString('hex')}`;
  const { storeId, key } = await app.createStore([...SCOPES], handle);
  const owner = { email: `owner-${handle}@example.com`, password: `owner password ${handle}` };
  const staff = { email: `staff-${handle}@example.com`, password: `staff password ${handle}` };
  for (const [account, role] of [
    [owner, 'owner'],
    [staff, 'staff'],
  ] as const) {
    const created = await app.request('POST', `/v1/platform/stores/${storeId}/staff`, {
      token: app.adminToken,
      body: { ...account, role },
    });
    if (created.status !== 201) throw new Error(`staff creation failed: ${created.text}`);
  }
  return { storeId, handle, host: `${handle}.localhost:3000`, key, owner, staff };
}

/** A PageClient signed in to the store's admin. */
export async function signedIn(
  app: TestApp,
  store: HostedStoreFixture,
  account: { email: string; password: string } = store.owner,
): Promise<PageClient> {
  const client = new PageClient(app, store.host);
  const answer = await client.submit('/admin/sign-in', '/admin/sign-in', account);
  if (answer.status !== 303) throw new Error(`sign-in failed: ${answer.status} ${answer.html}`);
  return client;
}
