import { ApiPage } from '../openapi/api-responses';
import { Controller, Get, Query } from '@nestjs/common';
import { Ctx } from '../auth/ctx.decorator';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { Page } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { ListEventsQueryDto } from './dto/list-events.query';
import { EventEnvelope, EventResource } from './event-envelope';
import { EventLog } from './event-log.service';

@Controller({ path: 'events', version: '1' })
export class EventsController {
  constructor(private readonly events: EventLog) {}

  @ApiPage(EventResource)
  @Get()
  @RequireScopes('read_events')
  list(
    @Ctx() ctx: RequestContext,
    @Query() query: ListEventsQueryDto,
  ): Promise<Page<EventEnvelope>> {
    return this.events.list(ctx, query);
  }
}
