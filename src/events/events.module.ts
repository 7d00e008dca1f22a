import { Global, Module } from '@nestjs/common';
import { EventsController } from './events.controller';
import { EventLog } from './event-log.service';

/** Global: every service that changes data records its events through the one log. */
@Global()
@Module({
  controllers: [EventsController],
  providers: [EventLog],
  exports: [EventLog],
})
export class EventsModule {}
