import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Ctx } from '../../auth/ctx.decorator';
import { CarriesSecret } from '../../common/http/cache-control.decorator';
import { RequireScopes } from '../../auth/require-scopes.decorator';
import { PageQueryDto } from '../../common/pagination';
import { RequestContext } from '../../common/request-context';
import { validateInput } from '../../common/validation/validate-input';
import { CreateWebhookSubscriptionDto } from '../../webhooks/dto/webhook-subscription.dto';
import { WebhookSubscriptionResource } from '../../webhooks/webhook.serializer';
import { WebhookSubscriptionsService } from '../../webhooks/webhook-subscriptions.service';
import { mutationPayload } from '../mutation-payload';
import { DeletePayload } from '../types/catalog.types';
import { Connection, toConnection } from '../types/common.types';
import {
  WebhookSubscription,
  WebhookSubscriptionConnection,
  WebhookSubscriptionInput,
  WebhookSubscriptionPayload,
} from '../types/commerce.types';
import { pageQuery } from './page-args';

@Resolver(() => WebhookSubscription)
export class WebhooksResolver {
  constructor(private readonly subscriptions: WebhookSubscriptionsService) {}

  @Query(() => WebhookSubscriptionConnection)
  @RequireScopes('read_webhooks')
  async webhookSubscriptions(
    @Ctx() ctx: RequestContext,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
  ): Promise<Connection<WebhookSubscriptionResource>> {
    const query = validateInput(PageQueryDto, pageQuery(first, after));
    return toConnection(await this.subscriptions.list(ctx, query));
  }

  /** The answer carries the signing secret, this once. */
  @Mutation(() => WebhookSubscriptionPayload)
  @RequireScopes('write_webhooks')
  @CarriesSecret()
  webhookSubscriptionCreate(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => WebhookSubscriptionInput }) input: WebhookSubscriptionInput,
  ) {
    return mutationPayload('webhookSubscription', () =>
      this.subscriptions.create(ctx, validateInput(CreateWebhookSubscriptionDto, input)),
    );
  }

  @Mutation(() => DeletePayload)
  @RequireScopes('write_webhooks')
  webhookSubscriptionDelete(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return mutationPayload('deletedId', async () => {
      await this.subscriptions.remove(ctx, id);
      return id;
    });
  }
}
