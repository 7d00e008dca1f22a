import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { EVENT_TYPES, EventType } from '../event-catalog';

export class ListEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: EVENT_TYPES })
  @IsOptional()
  @IsIn(EVENT_TYPES)
  type?: EventType;

  /**
   * Resume after this event (its id), for clients that tail the log: the last page has no
   * `nextCursor`, but the last event seen is always a valid place to continue from.
   */
  @ApiPropertyOptional({ description: 'Resume after this event id (evt_…), for tailing the log' })
  @IsOptional()
  @Matches(/^evt_[0-9a-z]{26}$/, { message: 'after must be an event id (evt_…)' })
  after?: string;
}
