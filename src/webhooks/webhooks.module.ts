import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { WebhookSubscriptionEntity } from './webhook-subscription.entity';
import { EventTypesController } from './event-types.controller';
import { EventTypesService } from './event-types.service';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookOutbox } from './webhook-outbox';
import { WebhookQueue } from './webhook-queue';
import {
  WebhookDeliveriesController,
  WebhookSubscriptionsController,
} from './webhook-subscriptions.controller';
import { WebhookSubscriptionsService } from './webhook-subscriptions.service';

@Module({
  imports: [DatabaseModule.forFeature([WebhookSubscriptionEntity])],
  controllers: [WebhookSubscriptionsController, WebhookDeliveriesController, EventTypesController],
  providers: [
    WebhookQueue,
    WebhookOutbox,
    WebhookSubscriptionsService,
    WebhookDispatcher,
    EventTypesService,
  ],
  exports: [WebhookQueue, WebhookDispatcher, WebhookSubscriptionsService, EventTypesService],
})
export class WebhooksModule {}
