import { PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  Length,
  Max,
  MaxLength,
  Matches,
  Min,
} from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { IsHttpUrl, Omittable, PATCH_FIELDS } from '../../common/validation/validators';
import type { WebhookSubscriptionStatus } from '../webhook-subscription.entity';

export class CreateWebhookSubscriptionDto {
  @IsHttpUrl()
  @MaxLength(2048)
  url: string;

  /** Event types, prefixes such as `order.*`, or `*`; checked against the creator's scopes. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  topics: string[];
}

export class UpdateWebhookSubscriptionDto extends PartialType(
  CreateWebhookSubscriptionDto,
  PATCH_FIELDS,
) {
  /** `active` re-enables a disabled subscription; `disabled` pauses it. */
  @Omittable()
  @IsIn(['active', 'disabled'])
  status?: WebhookSubscriptionStatus;
}

export class RotateWebhookSecretDto {
  /** How long the old secret keeps signing beside the new one. */
  @Omittable()
  @IsInt()
  @Min(0)
  @Max(7 * 86_400)
  overlapSeconds?: number;
}

export class ListEventDeliveriesQueryDto extends PageQueryDto {
  /** The deliveries of one event, to every subscription that received it. */
  @Matches(/^evt_[0-9a-z]{26}$/, { message: 'eventId must be an event id (evt_…)' })
  eventId: string;
}
