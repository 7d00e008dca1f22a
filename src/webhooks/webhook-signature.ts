import { createHmac, randomBytes } from 'node:crypto';

/** One delivery attempt's signed content; `timestamp` is unix seconds. */
export interface WebhookMessage {
  id: string;
  timestamp: number;
  body: string;
}

const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;
// Buffer.from(…, 'base64') silently drops invalid characters, which would sign with a key other
// than the one the receiver decodes; a stored secret that is not clean base64 is a bug to surface.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A new signing secret: `whsec_` and the standard base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : null;
  if (!encoded || !BASE64.test(encoded)) {
    throw new Error('Webhook secret must be "whsec_" followed by base64');
  }
  return Buffer.from(encoded, 'base64');
}

function checkMessage({ id, timestamp, body }: WebhookMessage): void {
  // The id is sent as a header value, where whitespace or a line break would split or inject headers.
  if (!id || /[\s\p{Cc}]/u.test(id)) {
    throw new Error('Webhook message id must be a non-empty token');
  }
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new Error('Webhook timestamp must be whole unix seconds');
  }
  if (typeof body !== 'string') throw new Error('Webhook body must be the exact string sent');
}

/**
 * The `webhook-signature` value: one `v1,<base64 HMAC-SHA256>` per secret, space-separated, so that
 * receivers holding either the old or the new secret accept deliveries during a rotation.
 */
export function signWebhook(message: WebhookMessage, secrets: readonly string[]): string {
  checkMessage(message);
  if (secrets.length === 0) throw new Error('At least one webhook secret is needed to sign');
  // The body is hashed as UTF-8, the encoding it is sent in, so multi-byte characters match the
  // bytes the receiver reads off the wire.
  const content = `${message.id}.${message.timestamp}.${message.body}`;
  return secrets
    .map(
      (secret) =>
        `v1,${createHmac('sha256', secretKey(secret)).update(content, 'utf8').digest('base64')}`,
    )
    .join(' ');
}

/** The three Standard Webhooks headers of one delivery attempt. */
export function webhookHeaders(
  message: WebhookMessage,
  secrets: readonly string[],
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(message.timestamp),
    'webhook-signature': signWebhook(message, secrets),
  };
}
