import { applyDecorators } from '@nestjs/common';
import { Extensions } from '@nestjs/graphql';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiExtension } from '@nestjs/swagger';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by `@CacheControl()`; the response hook sends it on every answer of the route. */
    cacheControl?: string;
  }
}

/**
 * How every answer of this route may be cached, declared beside the route: the response hook
 * (src/app/http-hooks.ts) sends it on each answer, errors included, whatever the handler set, and
 * the OpenAPI document shows it on each response. Routes that declare nothing answer
 * `DEFAULT_CACHE_CONTROL` (src/common/http/response-headers.ts).
 */
export const CacheControl = (value: string) =>
  applyDecorators(RouteConfig({ cacheControl: value }), ApiExtension('x-cache-control', value));

/** The GraphQL field extension that `@CarriesSecret()` sets, read by secretAnswersPlugin. */
export const CARRIES_SECRET = 'carriesSecret';

/**
 * The answer carries a secret shown this once (a new API key, an app's client secret, a webhook
 * signing secret, OAuth tokens, a session cookie): no cache may keep a copy, on disk or
 * anywhere. On a REST route, every answer says `Cache-Control: no-store`, and `x-carries-secret`
 * in the OpenAPI document tells SDKs not to log such bodies; on a GraphQL root field, so does
 * every answer of an operation that selects it (src/graphql/secret-answers.plugin.ts).
 */
export const CarriesSecret = () =>
  applyDecorators(
    CacheControl('no-store'),
    ApiExtension('x-carries-secret', true),
    Extensions({ [CARRIES_SECRET]: true }),
  );
