import { Inject, Injectable } from '@nestjs/common';
import { SecretBox } from '../common/crypto/secret-box';
import { DomainError } from '../common/errors/domain-error';
import { isId, newId } from '../common/ids';
import { decodeCursor, Page } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import { EventLog } from '../events/event-log.service';
import {
  CreateWebhookSubscriptionDto,
  RotateWebhookSecretDto,
  UpdateWebhookSubscriptionDto,
} from './dto/webhook-subscription.dto';
import { checkWebhookUrl } from './network-guard';
import { WebhookOutbox } from './webhook-outbox';
import { WebhookSubscriptionEntity } from './webhook-subscription.entity';
import { generateWebhookSecret } from './webhook-signature';
import { TEST_EVENT_TYPE, topicErrors } from './webhook-topics';
import {
  AttemptRow,
  DeliveryRow,
  serializeDelivery,
  serializeSubscription,
  WebhookDeliveryResource,
  WebhookSubscriptionResource,
} from './webhook.serializer';

export const DEFAULT_ROTATION_OVERLAP_SECONDS = 86_400;

const DELIVERY_COLUMNS = `id, subscription_id AS "subscriptionId", event_id AS "eventId",
  event_type AS "eventType", status, next_attempt_at AS "nextAttemptAt", created_at AS "createdAt"`;

/** Subscriptions of the context's store; another store's id is not found. */
@Injectable()
export class WebhookSubscriptionsService {
  private readonly secrets: SecretBox;

  constructor(
    readonly connection: TransactionalConnection,
    private readonly outbox: WebhookOutbox,
    private readonly events: EventLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.secrets = new SecretBox(config.encryptionKey);
  }

  /** The secret is in this answer only; it is stored encrypted with ENCRYPTION_KEY. */
  @Transactional()
  async create(
    ctx: RequestContext,
    input: CreateWebhookSubscriptionDto,
  ): Promise<WebhookSubscriptionResource> {
    await this.assertAcceptable(ctx, input.url, input.topics);
    const secret = generateWebhookSecret();
    const repository = this.connection.repository(ctx, WebhookSubscriptionEntity);
    const subscription = repository.create({
      id: newId('whsub'),
      storeId: ctx.requireStore(),
      url: input.url,
      topics: input.topics,
      status: 'active',
      disabledReason: null,
      apiVersion: ctx.apiVersion,
      secretSealed: this.secrets.seal(secret),
      previousSecretSealed: null,
      previousSecretExpiresAt: null,
      failingSince: null,
      createdBy: ctx.actor.id,
      version: 1,
    });
    await repository.insert(subscription);
    return serializeSubscription(await this.find(ctx, subscription.id), secret);
  }

  @Transactional({ readOnly: true })
  async list(
    ctx: RequestContext,
    query: { limit: number; cursor?: string },
  ): Promise<Page<WebhookSubscriptionResource>> {
    const after = decodeCursor(query.cursor, ['string'] as const);
    const builder = this.connection
      .repository(ctx, WebhookSubscriptionEntity)
      .createQueryBuilder('subscription')
      .where('subscription.storeId = :storeId', { storeId: ctx.requireStore() })
      .orderBy('subscription.id', 'ASC')
      .limit(query.limit + 1);
    if (after) builder.andWhere('subscription.id > :after', { after: after[0] });
    return Page.fromRows(await builder.getMany(), query.limit, (row) => [row.id]).map((row) =>
      serializeSubscription(row),
    );
  }

  @Transactional({ readOnly: true })
  async get(ctx: RequestContext, id: string): Promise<WebhookSubscriptionResource> {
    return serializeSubscription(await this.find(ctx, id));
  }

  /** Re-enabling (`status: active`) clears the failure streak, so it is not disabled again at once. */
  @Transactional()
  async update(
    ctx: RequestContext,
    id: string,
    input: UpdateWebhookSubscriptionDto,
    expectedVersion?: number,
  ): Promise<WebhookSubscriptionResource> {
    const subscription = await this.find(ctx, id, { lock: true, expectedVersion });
    await this.assertAcceptable(ctx, input.url, input.topics);
    if (input.url !== undefined) subscription.url = input.url;
    if (input.topics !== undefined) subscription.topics = input.topics;
    if (input.status !== undefined && input.status !== subscription.status) {
      subscription.status = input.status;
      subscription.disabledReason = input.status === 'disabled' ? 'disabled_by_user' : null;
      subscription.failingSince = null;
    }
    subscription.version += 1;
    subscription.updatedAt = new Date();
    await this.connection.repository(ctx, WebhookSubscriptionEntity).save(subscription);
    return serializeSubscription(await this.find(ctx, id));
  }

  /** Pending deliveries go with it. */
  @Transactional()
  async remove(ctx: RequestContext, id: string, expectedVersion?: number): Promise<void> {
    await this.find(ctx, id, { lock: true, expectedVersion });
    await this.connection
      .repository(ctx, WebhookSubscriptionEntity)
      .delete({ id, storeId: ctx.requireStore() });
  }

  /**
   * A new secret; the old one keeps signing beside it for `overlapSeconds` (a second `v1,`
   * signature), so receivers can switch without dropping a delivery.
   */
  @Transactional()
  async rotateSecret(
    ctx: RequestContext,
    id: string,
    input: RotateWebhookSecretDto,
  ): Promise<WebhookSubscriptionResource> {
    await this.find(ctx, id, { lock: true });
    const [sealed] = await this.connection
      .manager(ctx)
      .query('SELECT secret_sealed FROM platform.webhook_subscriptions WHERE id = $1', [id]);
    const secret = generateWebhookSecret();
    const overlap = input.overlapSeconds ?? DEFAULT_ROTATION_OVERLAP_SECONDS;
    await this.connection.manager(ctx).query(
      `UPDATE platform.webhook_subscriptions
          SET secret_sealed = $2, previous_secret_sealed = $3,
              previous_secret_expires_at = now() + make_interval(secs => $4),
              version = version + 1, updated_at = now()
        WHERE id = $1`,
      [id, this.secrets.seal(secret), sealed.secret_sealed, overlap],
    );
    return serializeSubscription(await this.find(ctx, id), secret);
  }

  /** Sends a `webhook.test` event to this subscription only; it is not in the event log. */
  @Transactional()
  async sendTest(ctx: RequestContext, id: string): Promise<WebhookDeliveryResource> {
    const subscription = await this.find(ctx, id);
    const event = {
      id: newId('evt'),
      type: TEST_EVENT_TYPE,
      createdAt: new Date().toISOString(),
      storeId: subscription.storeId,
      apiVersion: subscription.apiVersion,
      data: { object: serializeSubscription(subscription) },
    };
    const [deliveryId] = await this.outbox.write(ctx, this.connection.manager(ctx), [
      {
        storeId: subscription.storeId,
        subscriptionId: subscription.id,
        event,
        body: JSON.stringify(event),
      },
    ]);
    return this.delivery(ctx, deliveryId);
  }

  @Transactional({ readOnly: true })
  async deliveries(
    ctx: RequestContext,
    query: { limit: number; cursor?: string; subscriptionId?: string; eventId?: string },
  ): Promise<Page<WebhookDeliveryResource>> {
    if (query.subscriptionId !== undefined) await this.find(ctx, query.subscriptionId);
    const after = decodeCursor(query.cursor, ['string'] as const);
    const rows: DeliveryRow[] = await this.connection.manager(ctx).query(
      `SELECT ${DELIVERY_COLUMNS} FROM platform.webhook_deliveries
        WHERE store_id = $1
          AND ($2::text IS NULL OR subscription_id = $2)
          AND ($3::text IS NULL OR event_id = $3)
          AND ($4::text IS NULL OR id < $4)
        ORDER BY id DESC
        LIMIT $5`,
      [
        ctx.requireStore(),
        query.subscriptionId ?? null,
        query.eventId ?? null,
        after?.[0] ?? null,
        query.limit + 1,
      ],
    );
    const page = Page.fromRows(rows, query.limit, (row) => [row.id]);
    const attempts = await this.attemptsOf(
      ctx,
      page.data.map((row) => row.id),
    );
    return page.map((row) => serializeDelivery(row, attempts.get(row.id) ?? []));
  }

  /** Queues one more attempt now, whatever the delivery's state: a failed one, or a resend. */
  @Transactional()
  async retryDelivery(ctx: RequestContext, deliveryId: string): Promise<WebhookDeliveryResource> {
    const manager = this.connection.manager(ctx);
    const [rows] = isId(deliveryId, 'whdel')
      ? await manager.query(
          `UPDATE platform.webhook_deliveries
              SET status = 'pending', next_attempt_at = now(), lease_until = NULL, updated_at = now()
            WHERE id = $1 AND store_id = $2
            RETURNING subscription_id`,
          [deliveryId, ctx.requireStore()],
        )
      : [[]];
    if (rows.length === 0) throw DomainError.notFound('webhook delivery');
    await this.outbox.requeue(ctx, manager, {
      deliveryId,
      subscriptionId: rows[0].subscription_id,
    });
    return this.delivery(ctx, deliveryId);
  }

  /**
   * Disables a subscription the platform gave up on (410 Gone, or five days of failures) and
   * records `webhook_subscription.disabled` in the store's event log. Runs with a system context
   * of the subscription's store.
   */
  @Transactional()
  async disable(ctx: RequestContext, id: string, reason: string): Promise<void> {
    const [rows] = await this.connection.manager(ctx).query(
      `UPDATE platform.webhook_subscriptions
          SET status = 'disabled', disabled_reason = $3, version = version + 1, updated_at = now()
        WHERE id = $1 AND store_id = $2 AND status = 'active'
        RETURNING id`,
      [id, ctx.requireStore(), reason],
    );
    if (rows.length === 0) return;
    const subscription = serializeSubscription(await this.find(ctx, id));
    this.events.record(ctx, 'webhook_subscription.disabled', id, subscription);
  }

  private async delivery(ctx: RequestContext, id: string): Promise<WebhookDeliveryResource> {
    const [row]: DeliveryRow[] = await this.connection
      .manager(ctx)
      .query(
        `SELECT ${DELIVERY_COLUMNS} FROM platform.webhook_deliveries WHERE id = $1 AND store_id = $2`,
        [id, ctx.requireStore()],
      );
    if (!row) throw DomainError.notFound('webhook delivery');
    const attempts = await this.attemptsOf(ctx, [id]);
    return serializeDelivery(row, attempts.get(id) ?? []);
  }

  private async attemptsOf(
    ctx: RequestContext,
    deliveryIds: string[],
  ): Promise<Map<string, AttemptRow[]>> {
    const byDelivery = new Map<string, AttemptRow[]>();
    if (deliveryIds.length === 0) return byDelivery;
    const rows: AttemptRow[] = await this.connection.manager(ctx).query(
      `SELECT delivery_id AS "deliveryId", attempted_at AS "attemptedAt", duration_ms AS "durationMs",
              status_code AS "statusCode", error, response_body AS "responseBody"
         FROM platform.webhook_attempts WHERE delivery_id = ANY($1::text[]) ORDER BY id`,
      [deliveryIds],
    );
    for (const row of rows) {
      const list = byDelivery.get(row.deliveryId) ?? [];
      list.push(row);
      byDelivery.set(row.deliveryId, list);
    }
    return byDelivery;
  }

  /** Platform table: the store is part of the key, so another store's id is not found. */
  private find(
    ctx: RequestContext,
    id: string,
    change: { lock?: boolean; expectedVersion?: number } = {},
  ): Promise<WebhookSubscriptionEntity> {
    return this.connection.getEntityOrThrow(ctx, WebhookSubscriptionEntity, id, {
      prefix: 'whsub',
      name: 'webhook subscription',
      where: { storeId: ctx.requireStore() },
      ...change,
    });
  }

  private async assertAcceptable(
    ctx: RequestContext,
    url: string | undefined,
    topics: readonly string[] | undefined,
  ): Promise<void> {
    const errors = topics ? topicErrors(topics, ctx.scopes) : [];
    if (url !== undefined) {
      const check = await checkWebhookUrl(url, {
        allowPrivateNetworks: this.config.webhookAllowPrivateNetworks,
      });
      if (!check.ok)
        throw new DomainError('url_not_allowed', check.reason, {
          errors: [{ path: 'url', code: 'url_not_allowed', message: check.reason }],
        });
    }
    if (errors.length > 0) throw DomainError.validation(errors);
  }
}
