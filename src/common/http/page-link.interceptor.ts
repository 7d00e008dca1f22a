import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, Observable } from 'rxjs';
import { Page } from '../pagination';
import { nextPageLink } from './resource-headers';

/** Adds `Link: <…>; rel="next"` to every REST list response that has a next page. */
@Injectable()
export class PageLinkInterceptor implements NestInterceptor {
  constructor(private readonly publicUrl: string) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      map((result: unknown) => {
        if (
          !(result instanceof Page) ||
          result.nextCursor === null ||
          execution.getType() !== 'http'
        )
          return result;
        const request = execution.switchToHttp().getRequest<FastifyRequest>();
        const reply = execution.switchToHttp().getResponse<FastifyReply>();
        void reply.header('Link', nextPageLink(request.url, this.publicUrl, result.nextCursor));
        return { data: result.data, nextCursor: result.nextCursor };
      }),
    );
  }
}
