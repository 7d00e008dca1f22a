import type { WebhookSubscriptionResource } from '../../../webhooks/webhook.serializer';
import { EVENT_TYPES } from '../../../events/event-catalog';
import {
  Checkbox,
  CsrfField,
  Field,
  type FieldErrors,
  FormErrors,
} from '../../../web/components/forms';
import { Pagination } from '../../../web/components/pagination';
import { DeveloperLayout, type DeveloperPageProps, type ListPaging } from './developer-layout';

export interface WebhooksPageProps extends DeveloperPageProps, ListPaging {
  subscriptions: readonly WebhookSubscriptionResource[];
  errors?: FieldErrors;
  values?: { url: string; topics: readonly string[] };
}

/** What a subscription can name: every event type, or all of them with `*`. */
const TOPIC_CHOICES = [{ value: '*', label: 'All events (*)' }].concat(
  EVENT_TYPES.map((type) => ({ value: type, label: type })),
);

/** The store's webhook subscriptions and the form that creates one. */
export function WebhooksPage(props: WebhooksPageProps) {
  return (
    <DeveloperLayout {...props} title="Webhooks">
      {props.subscriptions.length === 0 ? (
        <p>
          No webhook subscriptions yet. Add your endpoint below to be told of the store’s events.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Event types</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {props.subscriptions.map((subscription) => (
              <tr id={subscription.id}>
                <td>
                  <a href={`/admin/developers/webhooks/${subscription.id}`}>{subscription.url}</a>
                </td>
                <td>{subscription.topics.join(', ')}</td>
                <td>
                  <span class={`badge ${subscription.status === 'active' ? 'ok' : 'bad'}`}>
                    {subscription.status}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pagination
        path="/admin/developers/webhooks"
        nextCursor={props.nextCursor}
        atCursor={props.atCursor}
      />
      <h2>New subscription</h2>
      <FormErrors errors={props.errors} />
      <form method="post" action="/admin/developers/webhooks">
        <CsrfField token={props.csrf} />
        <Field
          label="URL"
          name="url"
          type="url"
          value={props.values?.url}
          error={props.errors?.url}
          placeholder="https://example.com/webhooks"
          required
        />
        <fieldset aria-describedby={props.errors?.topics ? 'topics-error' : undefined}>
          <legend>Event types</legend>
          {TOPIC_CHOICES.map((choice) => (
            <Checkbox
              label={choice.label}
              name="topics"
              value={choice.value}
              checked={props.values?.topics.includes(choice.value)}
            />
          ))}
          {props.errors?.topics && (
            <small class="field-error" id="topics-error">
              {props.errors.topics}
            </small>
          )}
        </fieldset>
        <button type="submit">Create subscription</button>
      </form>
    </DeveloperLayout>
  );
}
