import { Controller, Get, Query } from '@nestjs/common';
import { Ctx } from '../auth/ctx.decorator';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { Page } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { ListEventsQueryDto } from './dto/list-events.query';
import { ApiPageOf } from '../common/http/api-responses';
import { EVENT_CATALOG, EVENT_TYPES } from './event-catalog';
import { ApiEnvelopeModels, EventEnvelope, envelopeUnionSchema } from './event-envelope';
import { EventLog } from './event-log.service';

const CATALOG_ENTRIES = EVENT_TYPES.map((type) => ({
  type,
  resource: EVENT_CATALOG[type].resource,
}));

@Controller({ path: 'events', version: '1' })
export class EventsController {
  constructor(private readonly events: EventLog) {}

  @ApiEnvelopeModels(CATALOG_ENTRIES)
  @ApiPageOf(envelopeUnionSchema(CATALOG_ENTRIES))
  @Get()
  @RequireScopes('read_events')
  list(
    @Ctx() ctx: RequestContext,
    @Query() query: ListEventsQueryDto,
  ): Promise<Page<EventEnvelope>> {
    return this.events.list(ctx, query);
  }
}
