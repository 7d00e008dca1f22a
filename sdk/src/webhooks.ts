import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { WebhookEvent } from './generated/api.js';

export type { WebhookEvent };
export { WebhookVerificationError };

/** Every type a webhook may carry, `webhook.test` included. */
export type WebhookEventType = WebhookEvent['type'];

/** The envelope of one type: `WebhookEventOf<'order.created'>['data']['object']` is an order. */
export type WebhookEventOf<T extends WebhookEventType> = Extract<WebhookEvent, { type: T }>;

/** Headers as fetch (`Headers`), Node's `http` (`req.headers`) or a framework hands them over. */
export type WebhookHeaders = Headers | Record<string, string | readonly string[] | undefined>;

/**
 * Checks a delivery's Standard Webhooks signature (and that its timestamp is within five minutes)
 * with the subscription's `whsec_…` secret, then returns the event. `body` must be the raw bytes
 * or text as received: a body parsed and serialised again no longer matches its signature.
 * Throws `WebhookVerificationError` when the delivery is not authentic.
 */
export function verifyWebhook(
  secret: string,
  body: string | Uint8Array,
  headers: WebhookHeaders,
): WebhookEvent {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new TypeError(
      'verifyWebhook needs the raw request body (a string or bytes), not a parsed object',
    );
  }
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  return new Webhook(secret).verify(text, flatten(headers)) as WebhookEvent;
}

function flatten(headers: WebhookHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  if (headers instanceof Headers) {
    headers.forEach((value, name) => (flat[name] = value));
    return flat;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined)
      flat[name.toLowerCase()] = typeof value === 'string' ? value : value.join(', ');
  }
  return flat;
}
