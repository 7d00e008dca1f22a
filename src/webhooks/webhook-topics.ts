import type { Type } from '@nestjs/common';
import type { Scope } from '../common/scopes';
import { EVENT_CATALOG, EVENT_TYPES, EventType } from '../events/event-catalog';
import type { FieldError } from '../common/errors/domain-error';
import { WebhookSubscriptionResource } from './webhook.serializer';

/** Sent by `POST /v1/webhook-subscriptions/{id}/test` only; never in the event log. */
export const TEST_EVENT_TYPE = 'webhook.test';

export interface DeliveredEventType {
  readonly type: string;
  /** The read scope a subscription needs for it; null for the test event, sent on request. */
  readonly scope: Scope | null;
  readonly resource: Type<unknown>;
}

/** Every type a webhook body may have: the catalogue's, then the test event (its subscription). */
export const DELIVERED_EVENT_TYPES: readonly DeliveredEventType[] = [
  ...EVENT_TYPES.map((type) => ({ type, ...EVENT_CATALOG[type] })),
  { type: TEST_EVENT_TYPE, scope: null, resource: WebhookSubscriptionResource },
];

/** The event types a topic names: an exact type, `order.*`, or `*` for every type. */
export function expandTopic(topic: string): EventType[] {
  if (topic === '*') return EVENT_TYPES;
  if (topic.endsWith('.*')) {
    const prefix = topic.slice(0, -1);
    return EVENT_TYPES.filter((type) => type.startsWith(prefix));
  }
  return EVENT_TYPES.includes(topic as EventType) ? [topic as EventType] : [];
}

export function topicsMatch(topics: readonly string[], type: string): boolean {
  return topics.some(
    (topic) =>
      topic === type ||
      topic === '*' ||
      (topic.endsWith('.*') && type.startsWith(topic.slice(0, -1))),
  );
}

/**
 * Unknown topics, and topics whose events the creator may not read: refused when the subscription
 * is made, rather than deliveries silently withheld later.
 */
export function topicErrors(topics: readonly string[], scopes: ReadonlySet<Scope>): FieldError[] {
  const errors: FieldError[] = [];
  topics.forEach((topic, index) => {
    const types = expandTopic(topic);
    if (types.length === 0) {
      errors.push({
        path: `topics.${index}`,
        code: 'unknown_topic',
        message: `"${topic}" is not an event type, a prefix such as "order.*", or "*".`,
      });
      return;
    }
    const missing = [...new Set(types.map((type) => EVENT_CATALOG[type].scope))].filter(
      (scope) => !scopes.has(scope),
    );
    if (missing.length > 0) {
      errors.push({
        path: `topics.${index}`,
        code: 'insufficient_scope',
        message: `Receiving "${topic}" needs the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`,
      });
    }
  });
  return errors;
}
