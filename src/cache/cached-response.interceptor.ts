import { createHash } from 'node:crypto';
import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
  applyDecorators,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, type Observable, lastValueFrom } from 'rxjs';
import { requestContextOf } from '../auth/credential-transport';
import { NotModified } from '../common/http/not-modified';
import { nextPageLink, versionTag } from '../common/http/resource-headers';
import { Page } from '../common/pagination';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { CachedReads } from './cached-reads';
import {
  type CacheDependencies,
  type CachedAnswer,
  type ComputedEntry,
  pageDependencies,
} from './response-cache';

const CACHED = 'cache:resource';

/**
 * The route's answer is served from the response cache: `product` names the route parameter that
 * holds the product id (one product), or the route lists the store's products. Sends `ETag` and
 * answers `If-None-Match` with 304, for lists as for single resources.
 */
export const CachedResponse = (resource: { productParam: string } | 'products') =>
  applyDecorators(
    SetMetadata(CACHED, resource),
    UseInterceptors(CachedResponseInterceptor),
    ApiHeader({
      name: 'If-None-Match',
      required: false,
      description: 'The ETag of a copy you hold: answered 304 with no body while it is current',
    }),
    ApiResponse({ status: 304, description: 'Not modified: the ETag in If-None-Match is current' }),
  );

/**
 * Serves a cached GET from its bytes: on a hit the handler (and the database) are skipped; on a
 * miss the handler's result is serialised once and kept. Runs after the guards, so only a
 * credential that may read the resource reaches an entry, and the entry is the store's of the
 * request context: the key is the request's path and query within the store's namespace.
 */
@Injectable()
export class CachedResponseInterceptor implements NestInterceptor {
  constructor(
    private readonly reads: CachedReads,
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const declared = this.reflector.get<{ productParam: string } | 'products'>(
      CACHED,
      execution.getHandler(),
    );
    const request = execution.switchToHttp().getRequest<FastifyRequest>();
    const reply = execution.switchToHttp().getResponse<FastifyReply>();
    const ctx = requestContextOf(execution);
    if (!declared || !ctx?.storeId || request.method !== 'GET') return next.handle();
    const dependencies: CacheDependencies =
      declared === 'products'
        ? pageDependencies(isFiltered(request.query))
        : { products: [(request.params as Record<string, string>)[declared.productParam]] };
    return from(
      this.reads
        .read(ctx, cacheKeyOf(request.url), dependencies, async (entry) =>
          this.serialise(request, await lastValueFrom(next.handle()), entry),
        )
        .then((answer) => this.send(request, reply, answer)),
    );
  }

  /** The bytes and headers the app would have sent for this result (ETag, page Link). */
  private serialise(request: FastifyRequest, result: unknown, entry: ComputedEntry): CachedAnswer {
    if (result instanceof Page) {
      entry.holds((result.data as { id: string }[]).map((item) => item.id));
      const body = JSON.stringify({ data: result.data, nextCursor: result.nextCursor });
      const link =
        result.nextCursor === null
          ? undefined
          : nextPageLink(request.url, this.config.publicUrl, result.nextCursor);
      return { body, etag: contentTag(body), link };
    }
    const body = JSON.stringify(result);
    return { body, etag: versionTag(result) ?? contentTag(body) };
  }

  private send(request: FastifyRequest, reply: FastifyReply, answer: CachedAnswer): string {
    if (matches(request.headers['if-none-match'], answer.etag)) throw new NotModified(answer.etag);
    void reply.header('ETag', answer.etag);
    if (answer.link) void reply.header('Link', answer.link);
    void reply.type('application/json; charset=utf-8');
    return answer.body;
  }
}

/** A list asked for more than a page of the catalogue in id order (a status, a date). */
function isFiltered(query: unknown): boolean {
  return Object.keys(query ?? {}).some((name) => name !== 'limit' && name !== 'cursor');
}

/** The path and its query parameters in a canonical order, so `?a=1&b=2` and `?b=2&a=1` share. */
export function cacheKeyOf(url: string): string {
  const [path, query = ''] = url.split('?', 2);
  const params = new URLSearchParams(query);
  params.sort();
  const sorted = params.toString();
  return sorted ? `${path}?${sorted}` : path;
}

/** A strong validator of a list's bytes. */
function contentTag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** RFC 9110 §13.1.2: `*` or any listed tag, weak comparison. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === bare);
}
