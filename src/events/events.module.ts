import { Global, Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { EventEntity } from './event.entity';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '../config/config';
import { LOGGER } from '../observability/logger';
import { EventLogReader } from './event-log-reader';
import { EventRelay, LocalEventRelay } from './event-relay';
import { EventsController } from './events.controller';
import { EventLog } from './event-log.service';
import { LiveEvents } from './live-events';
import { RedisEventRelay } from './redis-event-relay';

/** Global: every service that changes data records its events through the one log. */
@Global()
@Module({
  imports: [DatabaseModule.forFeature([EventEntity])],
  controllers: [EventsController],
  providers: [
    EventLog,
    EventLogReader,
    LiveEvents,
    {
      provide: EventRelay,
      inject: [APP_CONFIG, LOGGER],
      // Redis may come up after the app: the relay connects when it answers, and until then the
      // live feed reads other instances' events from the log.
      useFactory: (config: AppConfig, logger: Logger): EventRelay =>
        config.redisUrl ? new RedisEventRelay(config.redisUrl, logger) : new LocalEventRelay(),
    },
  ],
  exports: [EventLog, LiveEvents],
})
export class EventsModule {}
