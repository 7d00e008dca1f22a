import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { WebhookSubscriptionEntity } from './webhook-subscription.entity';

export class WebhookSubscriptionResource {
  @ApiProperty({ example: 'whsub_01jw3e5m8c4t9h2k7q6r0v1x2y' })
  id: string;

  @ApiProperty({ example: 'https://partner.example.com/hooks/dukkadee' })
  url: string;

  @ApiProperty({ type: [String], example: ['order.*', 'product.updated'] })
  topics: string[];

  @ApiProperty({ enum: ['active', 'disabled'] })
  status: string;

  @ApiProperty({ type: String, nullable: true, description: 'Why it was disabled' })
  disabledReason: string | null;

  @ApiProperty({ example: 'v1' })
  apiVersion: string;

  @ApiPropertyOptional({
    description: 'The signing secret (whsec_…): only in the answers of create and rotate-secret',
  })
  secret?: string;

  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export function serializeSubscription(
  subscription: WebhookSubscriptionEntity,
  secret?: string,
): WebhookSubscriptionResource {
  return {
    id: subscription.id,
    url: subscription.url,
    topics: subscription.topics,
    status: subscription.status,
    disabledReason: subscription.disabledReason,
    apiVersion: subscription.apiVersion,
    ...(secret === undefined ? {} : { secret }),
    version: subscription.version,
    createdAt: subscription.createdAt.toISOString(),
    updatedAt: subscription.updatedAt.toISOString(),
  };
}

export class WebhookAttemptResource {
  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ type: 'integer' })
  durationMs: number;

  @ApiProperty({ type: 'integer', nullable: true })
  statusCode: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'timeout, connection_refused, address_forbidden…',
  })
  error: string | null;

  @ApiProperty({ description: "The receiver's answer, at most 64 KiB" })
  response: string;
}

export class WebhookDeliveryResource {
  @ApiProperty({ example: 'whdel_01jw3e5m8c4t9h2k7q6r0v1x2y' })
  id: string;

  @ApiProperty()
  subscriptionId: string;

  @ApiProperty({ description: 'Also the webhook-id header of every attempt' })
  eventId: string;

  @ApiProperty()
  eventType: string;

  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] })
  status: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  nextAttemptAt: string | null;

  @ApiProperty({ type: () => [WebhookAttemptResource] })
  attempts: WebhookAttemptResource[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export interface DeliveryRow {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  status: string;
  nextAttemptAt: Date;
  createdAt: Date;
}

export interface AttemptRow {
  deliveryId: string;
  attemptedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string;
}

export function serializeDelivery(
  delivery: DeliveryRow,
  attempts: readonly AttemptRow[],
): WebhookDeliveryResource {
  return {
    id: delivery.id,
    subscriptionId: delivery.subscriptionId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    nextAttemptAt: delivery.status === 'pending' ? delivery.nextAttemptAt.toISOString() : null,
    attempts: attempts.map((attempt) => ({
      at: attempt.attemptedAt.toISOString(),
      durationMs: attempt.durationMs,
      statusCode: attempt.statusCode,
      error: attempt.error,
      response: attempt.responseBody,
    })),
    createdAt: delivery.createdAt.toISOString(),
  };
}
