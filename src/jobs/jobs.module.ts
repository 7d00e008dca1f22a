import { Global, Module } from '@nestjs/common';
import { JobQueue } from './job-queue';

/** Global: any capability may queue work in its transaction. */
@Global()
@Module({ providers: [JobQueue], exports: [JobQueue] })
export class JobsModule {}
