import { ApiProperty } from '@nestjs/swagger';
import { EVENT_TYPES } from './event-catalog';
import type { EventType } from './event-catalog';

/** The webhook body, the `/v1/events` item and the GraphQL `Event.payload` (CONTRACT.md). */
export interface EventEnvelope<T = unknown> {
  readonly id: string;
  readonly type: EventType;
  readonly createdAt: string;
  readonly storeId: string;
  readonly apiVersion: string;
  readonly data: { readonly object: T };
}

/** The envelope as OpenAPI documents it (`data.object` is the resource of the event's type). */
export class EventResource {
  @ApiProperty({ example: 'evt_01jw3e5m8c4t9h2k7q6r0v1x2y' })
  id: string;

  @ApiProperty({ enum: EVENT_TYPES })
  type: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty()
  storeId: string;

  @ApiProperty({ example: 'v1' })
  apiVersion: string;

  @ApiProperty({
    type: 'object',
    properties: {
      object: {
        type: 'object',
        additionalProperties: true,
        description: 'The resource as REST returns it',
      },
    },
    additionalProperties: false,
  })
  data: { object: unknown };
}
