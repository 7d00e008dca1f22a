export {
  DukkadeeClient,
  type Answer,
  type DukkadeeClientOptions,
  type ItemOf,
  type ListPath,
  type RequestInitOf,
} from './client.js';
export { DukkadeeError, type FieldError, type Problem, type ProblemCode } from './errors.js';
export type { RetryOptions } from './retry.js';
export {
  verifyWebhook,
  WebhookVerificationError,
  type WebhookEvent,
  type WebhookEventOf,
  type WebhookEventType,
  type WebhookHeaders,
} from './webhooks.js';
export type { components, operations, paths } from './generated/api.js';
