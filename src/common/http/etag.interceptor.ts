import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, Observable } from 'rxjs';
import { versionTag } from './resource-headers';

/** `ETag: "<version>"` on every single resource a REST call answers with (GET, POST, PATCH). */
@Injectable()
export class ETagInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((result: unknown) => {
        if (execution.getType() !== 'http') return result;
        const etag = versionTag(result);
        if (etag) {
          const request = execution.switchToHttp().getRequest<FastifyRequest>();
          if (request.method !== 'DELETE')
            void execution.switchToHttp().getResponse<FastifyReply>().header('ETag', etag);
        }
        return result;
      }),
    );
  }
}
