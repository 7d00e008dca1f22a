import type {
  WebhookDeliveryResource,
  WebhookSubscriptionResource,
} from '../../../webhooks/webhook.serializer';
import { ActionForm } from '../../../web/components/forms';
import {
  DeveloperLayout,
  type DeveloperPageProps,
  formatTime,
  OneTimeSecret,
} from './developer-layout';

export interface WebhookSubscriptionPageProps extends DeveloperPageProps {
  subscription: WebhookSubscriptionResource;
  deliveries: readonly WebhookDeliveryResource[];
}

/**
 * One subscription: its actions, and its latest deliveries with every attempt (status code,
 * duration, error), so a merchant sees why an endpoint failed and can retry it.
 */
export function WebhookSubscriptionPage(props: WebhookSubscriptionPageProps) {
  const { subscription, csrf } = props;
  const base = `/admin/developers/webhooks/${subscription.id}`;
  return (
    <DeveloperLayout {...props} title="Webhook subscription">
      {subscription.secret && (
        <OneTimeSecret label="The subscription’s signing secret." secret={subscription.secret} />
      )}
      <dl>
        <dt>URL</dt>
        <dd>
          <code>{subscription.url}</code>
        </dd>
        <dt>Event types</dt>
        <dd>{subscription.topics.join(', ')}</dd>
        <dt>Status</dt>
        <dd>
          {subscription.status}
          {subscription.disabledReason && ` (${subscription.disabledReason})`}
        </dd>
      </dl>
      <div class="actions">
        <ActionForm action={`${base}/test`} csrf={csrf} label="Send test" />
        <ActionForm
          action={`${base}/rotate-secret`}
          csrf={csrf}
          label="Rotate secret"
          variant="secondary"
        />
        <ActionForm action={`${base}/delete`} csrf={csrf} label="Delete" variant="contrast" />
      </div>
      <h2>Deliveries</h2>
      {props.deliveries.length === 0 ? (
        <p>No deliveries yet. Send a test to see one.</p>
      ) : (
        props.deliveries.map((delivery) => (
          <article id={delivery.id}>
            <header>
              <strong>{delivery.eventType}</strong> · <span>{delivery.status}</span> ·{' '}
              <small class="muted">{formatTime(delivery.createdAt)}</small>
            </header>
            {delivery.attempts.length === 0 ? (
              <p class="muted">Not attempted yet.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Attempted</th>
                    <th scope="col">Status code</th>
                    <th scope="col">Duration</th>
                    <th scope="col">Error</th>
                  </tr>
                </thead>
                <tbody>
                  {delivery.attempts.map((attempt) => (
                    <tr class="attempt">
                      <td>{formatTime(attempt.at)}</td>
                      <td>{attempt.statusCode ?? '—'}</td>
                      <td>{attempt.durationMs} ms</td>
                      <td>{attempt.error ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <ActionForm
              action={`/admin/developers/webhook-deliveries/${delivery.id}/retry`}
              csrf={csrf}
              label="Retry"
              variant="outline"
            />
          </article>
        ))
      )}
    </DeveloperLayout>
  );
}
