import { Module } from '@nestjs/common';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookOutbox } from './webhook-outbox';
import { WebhookQueue } from './webhook-queue';
import {
  WebhookDeliveriesController,
  WebhookSubscriptionsController,
} from './webhook-subscriptions.controller';
import { WebhookSubscriptionsService } from './webhook-subscriptions.service';

@Module({
  controllers: [WebhookSubscriptionsController, WebhookDeliveriesController],
  providers: [WebhookQueue, WebhookOutbox, WebhookSubscriptionsService, WebhookDispatcher],
  exports: [WebhookQueue, WebhookDispatcher, WebhookSubscriptionsService],
})
export class WebhooksModule {}
