import { Global, Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { EventEntity } from './event.entity';
import type { Logger } from 'pino';
import { APP_CONFIG, AppConfig } from '../config/config';
import { LOGGER } from '../observability/logger';
import { EventBus, InMemoryEventBus } from './event-bus';
import { EventsController } from './events.controller';
import { EventLog } from './event-log.service';
import { RedisEventBus } from './redis-event-bus';

/** Global: every service that changes data records its events through the one log. */
@Global()
@Module({
  imports: [DatabaseModule.forFeature([EventEntity])],
  controllers: [EventsController],
  providers: [
    EventLog,
    {
      provide: EventBus,
      inject: [APP_CONFIG, LOGGER],
      useFactory: (config: AppConfig, logger: Logger): EventBus => {
        if (!config.redisUrl) return new InMemoryEventBus();
        const bus = new RedisEventBus(config.redisUrl, logger);
        // Redis may come up after the app: live events start flowing once it answers.
        bus.start().catch((error: unknown) => {
          logger.warn({ err: error }, 'redis event bus not subscribed');
        });
        return bus;
      },
    },
  ],
  exports: [EventLog, EventBus],
})
export class EventsModule {}
