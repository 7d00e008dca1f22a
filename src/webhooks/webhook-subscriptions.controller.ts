import { ApiCallbacks, ApiResponse } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Ctx } from '../auth/ctx.decorator';
import { CarriesSecret } from '../common/http/cache-control.decorator';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { ActionBody } from '../common/http/action-body.decorator';
import { IfMatch } from '../common/http/if-match.decorator';
import { Page, PageQueryDto } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { ApiEnvelopeModels, envelopeModel } from '../events/event-envelope';
import { ApiPage, ApiResource } from '../common/http/api-responses';
import {
  CreateWebhookSubscriptionDto,
  ListEventDeliveriesQueryDto,
  RotateWebhookSecretDto,
  UpdateWebhookSubscriptionDto,
} from './dto/webhook-subscription.dto';
import { WebhookSubscriptionsService } from './webhook-subscriptions.service';
import { DELIVERED_EVENT_TYPES } from './webhook-topics';
import { WebhookDeliveryResource, WebhookSubscriptionResource } from './webhook.serializer';

@Controller({ path: 'webhook-subscriptions', version: '1' })
export class WebhookSubscriptionsController {
  constructor(private readonly subscriptions: WebhookSubscriptionsService) {}

  @ApiPage(WebhookSubscriptionResource)
  @Get()
  @RequireScopes('read_webhooks')
  list(
    @Ctx() ctx: RequestContext,
    @Query() query: PageQueryDto,
  ): Promise<Page<WebhookSubscriptionResource>> {
    return this.subscriptions.list(ctx, query);
  }

  @ApiResource(WebhookSubscriptionResource, 201)
  @CarriesSecret()
  @ApiEnvelopeModels(DELIVERED_EVENT_TYPES)
  @ApiCallbacks(
    ...DELIVERED_EVENT_TYPES.map(({ type, resource }) => ({
      name: type,
      callbackUrl: '{$request.body#/url}',
      method: 'post',
      requestBody: { type: envelopeModel(type, resource) },
      expectedResponse: {
        status: 200,
        description:
          'Any 2xx ends the delivery; anything else is retried (docs/webhooks.md). Signed with the webhook-id, webhook-timestamp and webhook-signature headers of Standard Webhooks',
      },
    })),
  )
  @Post()
  @HttpCode(201)
  @RequireScopes('write_webhooks')
  create(
    @Ctx() ctx: RequestContext,
    @Body() body: CreateWebhookSubscriptionDto,
  ): Promise<WebhookSubscriptionResource> {
    return this.subscriptions.create(ctx, body);
  }

  @ApiResource(WebhookSubscriptionResource)
  @Get(':id')
  @RequireScopes('read_webhooks')
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<WebhookSubscriptionResource> {
    return this.subscriptions.get(ctx, id);
  }

  @ApiResource(WebhookSubscriptionResource)
  @Patch(':id')
  @RequireScopes('write_webhooks')
  update(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() body: UpdateWebhookSubscriptionDto,
    @IfMatch() expectedVersion: number | undefined,
  ): Promise<WebhookSubscriptionResource> {
    return this.subscriptions.update(ctx, id, body, expectedVersion);
  }

  @ApiResponse({ status: 204, description: 'Deleted' })
  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('write_webhooks')
  async remove(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @IfMatch() expectedVersion: number | undefined,
  ): Promise<void> {
    await this.subscriptions.remove(ctx, id, expectedVersion);
  }

  @ApiResource(WebhookDeliveryResource, 202)
  @ActionBody()
  @Post(':id/test')
  @HttpCode(202)
  @RequireScopes('write_webhooks')
  test(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<WebhookDeliveryResource> {
    return this.subscriptions.sendTest(ctx, id);
  }

  @ApiResource(WebhookSubscriptionResource)
  @CarriesSecret()
  @ActionBody(RotateWebhookSecretDto)
  @Post(':id/rotate-secret')
  @HttpCode(200)
  @RequireScopes('write_webhooks')
  rotateSecret(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() body: RotateWebhookSecretDto,
  ): Promise<WebhookSubscriptionResource> {
    return this.subscriptions.rotateSecret(ctx, id, body);
  }

  @ApiPage(WebhookDeliveryResource)
  @Get(':id/deliveries')
  @RequireScopes('read_webhooks')
  deliveries(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<WebhookDeliveryResource>> {
    return this.subscriptions.deliveries(ctx, { ...query, subscriptionId: id });
  }
}

@Controller({ path: 'webhook-deliveries', version: '1' })
export class WebhookDeliveriesController {
  constructor(private readonly subscriptions: WebhookSubscriptionsService) {}

  @ApiPage(WebhookDeliveryResource)
  @Get()
  @RequireScopes('read_webhooks')
  list(
    @Ctx() ctx: RequestContext,
    @Query() query: ListEventDeliveriesQueryDto,
  ): Promise<Page<WebhookDeliveryResource>> {
    return this.subscriptions.deliveries(ctx, query);
  }

  @ApiResource(WebhookDeliveryResource, 202)
  @ActionBody()
  @Post(':id/retry')
  @HttpCode(202)
  @RequireScopes('write_webhooks')
  retry(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<WebhookDeliveryResource> {
    return this.subscriptions.retryDelivery(ctx, id);
  }
}
