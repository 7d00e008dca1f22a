import { Controller, Get } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { Public } from '../auth/require-scopes.decorator';
import { EventTypeListResource } from './event-type.serializer';
import { EventTypesService } from './event-types.service';

/**
 * Public, like /v1/openapi.json whose components it restates: a webhook receiver that holds only
 * its signing secret, or a build that generates types, can fetch it without a credential.
 */
@Controller({ path: 'event-types', version: '1' })
@Public()
@SkipThrottle()
export class EventTypesController {
  constructor(private readonly eventTypes: EventTypesService) {}

  @ApiOperation({
    summary: 'Every event type with the JSON Schema of its payload',
    description:
      'One entry per type and API version: the webhook body, the /v1/events item and the GraphQL Event.payload all follow it. No credential needed.',
  })
  @ApiResponse({ status: 200, type: EventTypeListResource })
  @Get()
  list(): EventTypeListResource {
    return this.eventTypes.list();
  }
}
