import { ApiProperty } from '@nestjs/swagger';
import type { Scope } from '../common/scopes';
import { DELIVERED_EVENT_TYPES } from './webhook-topics';

export class EventTypeResource {
  @ApiProperty({ enum: DELIVERED_EVENT_TYPES.map((entry) => entry.type) })
  type: string;

  @ApiProperty({ example: 'v1', description: 'The API version of the payload' })
  apiVersion: string;

  @ApiProperty({
    type: String,
    enum: [...new Set(DELIVERED_EVENT_TYPES.map((entry) => entry.scope).filter(Boolean))],
    nullable: true,
    description:
      'The read scope a subscription needs to receive it; null for webhook.test, sent on request',
  })
  scope: Scope | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'JSON Schema (draft 2020-12) of the whole envelope, data.object being the REST resource of apiVersion',
  })
  schema: Record<string, unknown>;
}

export class EventTypeListResource {
  @ApiProperty({ type: () => [EventTypeResource] })
  data: EventTypeResource[];
}
