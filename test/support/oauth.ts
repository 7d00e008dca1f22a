import { randomBytes } from 'node:crypto';
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

export {
  approve,
  authorizePath,
  Browser,
  pkcePair,
  type PageResponse,
} from '../../harness/oauth-browser';

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
