import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../../common/request-context';
import { validateInput } from '../../../common/validation/validate-input';
import type { HostedStore } from '../../../platform/stores.service';
import { CreateWebhookSubscriptionDto } from '../../../webhooks/dto/webhook-subscription.dto';
import { WebhookSubscriptionsService } from '../../../webhooks/webhook-subscriptions.service';
import type { WebhookSubscriptionResource } from '../../../webhooks/webhook.serializer';
import { CsrfTokens } from '../../../web/csrf-tokens';
import { seeOther, sendDocument } from '../../../web/page-reply';
import { HostedPages } from '../../hosted-pages.decorator';
import { StaffContext, Store } from '../../hosted-request';
import { OwnerOnly } from '../admin-session.guard';
import { cursorOf } from './developer-layout';
import { fieldErrorsOf, listOf, textOf } from './form-input';
import { WebhookSubscriptionPage } from './webhook-subscription-page';
import { WebhooksPage, type WebhooksPageProps } from './webhooks-page';

const LISTED_SUBSCRIPTIONS = 100;
/** The latest deliveries of a subscription; older ones stay in the REST list. */
const LISTED_DELIVERIES = 25;

/** Webhook subscriptions and their deliveries, through the service REST and GraphQL call. */
@HostedPages('admin/developers', { admin: true })
@OwnerOnly()
export class WebhooksPagesController {
  constructor(
    private readonly csrf: CsrfTokens,
    private readonly subscriptions: WebhookSubscriptionsService,
  ) {}

  @Get('webhooks')
  async list(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Query('cursor') cursor: unknown,
  ): Promise<void> {
    await this.renderList(request, reply, store, staff, 200, {}, cursorOf(cursor));
  }

  /** Answers with the subscription's page, which shows its signing secret this once. */
  @Post('webhooks')
  async create(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Body() form: Record<string, unknown>,
  ): Promise<void> {
    const input = { url: textOf(form?.url), topics: listOf(form?.topics) };
    let subscription: WebhookSubscriptionResource;
    try {
      subscription = await this.subscriptions.create(
        staff,
        validateInput(CreateWebhookSubscriptionDto, input),
      );
    } catch (error) {
      const errors = fieldErrorsOf(error);
      if (!errors) throw error;
      const values = { url: String(input.url), topics: input.topics.map(String) };
      return this.renderList(request, reply, store, staff, 400, { errors, values });
    }
    await this.renderOne(request, reply, store, staff, 201, subscription);
  }

  @Get('webhooks/:id')
  async show(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Param('id') id: string,
  ): Promise<void> {
    await this.renderOne(
      request,
      reply,
      store,
      staff,
      200,
      await this.subscriptions.get(staff, id),
    );
  }

  @Post('webhooks/:id/test')
  async sendTest(
    @Res() reply: FastifyReply,
    @StaffContext() staff: RequestContext,
    @Param('id') id: string,
  ): Promise<void> {
    await this.subscriptions.sendTest(staff, id);
    seeOther(reply, `/admin/developers/webhooks/${id}`);
  }

  /** The new secret is in this answer only; the old one keeps signing for the overlap. */
  @Post('webhooks/:id/rotate-secret')
  async rotateSecret(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Param('id') id: string,
  ): Promise<void> {
    const rotated = await this.subscriptions.rotateSecret(staff, id, {});
    await this.renderOne(request, reply, store, staff, 200, rotated);
  }

  @Post('webhooks/:id/delete')
  async remove(
    @Res() reply: FastifyReply,
    @StaffContext() staff: RequestContext,
    @Param('id') id: string,
  ): Promise<void> {
    await this.subscriptions.remove(staff, id);
    seeOther(reply, '/admin/developers/webhooks');
  }

  @Post('webhook-deliveries/:id/retry')
  async retry(
    @Res() reply: FastifyReply,
    @StaffContext() staff: RequestContext,
    @Param('id') id: string,
  ): Promise<void> {
    const delivery = await this.subscriptions.retryDelivery(staff, id);
    seeOther(reply, `/admin/developers/webhooks/${delivery.subscriptionId}`);
  }

  private async renderList(
    request: FastifyRequest,
    reply: FastifyReply,
    store: HostedStore,
    staff: RequestContext,
    status: number,
    extra: Pick<WebhooksPageProps, 'errors' | 'values'>,
    cursor?: string,
  ): Promise<void> {
    const page = await this.subscriptions.list(staff, { limit: LISTED_SUBSCRIPTIONS, cursor });
    sendDocument(
      reply,
      status,
      <WebhooksPage
        store={store}
        staff={staff}
        csrf={this.csrf.issue(request, reply)}
        subscriptions={page.data}
        nextCursor={page.nextCursor}
        atCursor={cursor !== undefined}
        {...extra}
      />,
    );
  }

  private async renderOne(
    request: FastifyRequest,
    reply: FastifyReply,
    store: HostedStore,
    staff: RequestContext,
    status: number,
    subscription: WebhookSubscriptionResource,
  ): Promise<void> {
    const deliveries = await this.subscriptions.deliveries(staff, {
      limit: LISTED_DELIVERIES,
      subscriptionId: subscription.id,
    });
    sendDocument(
      reply,
      status,
      <WebhookSubscriptionPage
        store={store}
        staff={staff}
        csrf={this.csrf.issue(request, reply)}
        subscription={subscription}
        deliveries={deliveries.data}
      />,
    );
  }
}
