import { applyDecorators, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { ApiExtension, ApiSecurity } from '@nestjs/swagger';
import type { Scope } from '../common/scopes';

/** The platform administrator holds this pseudo-scope, and no store credential ever can. */
export const PLATFORM_ADMIN = 'platform_admin' as const;
export type GrantedScope = Scope | typeof PLATFORM_ADMIN;

export const ACCESS_METADATA = 'dukkadee:access';

export type AccessRule =
  { readonly public: true } | { readonly public: false; readonly scopes: readonly GrantedScope[] };

/**
 * The one access declaration, for REST handlers, GraphQL resolvers and subscriptions alike: the
 * credential must hold every scope named. The guard refuses a handler that declares nothing. The
 * same declaration documents the route in OpenAPI (`x-required-scopes`, and security: a bearer
 * token, which for a store route may also be an OAuth app's, obtained through the `oauth2` flows).
 */
export const RequireScopes = (...scopes: GrantedScope[]) =>
  applyDecorators(
    SetMetadata(ACCESS_METADATA, { public: false, scopes } satisfies AccessRule),
    ApiSecurity('bearer', scopes),
    ...(scopes.includes(PLATFORM_ADMIN) ? [] : [ApiSecurity('oauth2', scopes)]),
    ApiExtension('x-required-scopes', scopes),
  );

/** A route anyone may call without a credential (health, metrics, documentation). */
export const Public = () => SetMetadata(ACCESS_METADATA, { public: true } satisfies AccessRule);

/**
 * The handler's declaration. A handler that declares nothing is a bug, never an open route: the
 * guards throw, so a forgotten decorator shows up in tests.
 */
export function accessRuleOf(reflector: Reflector, execution: ExecutionContext): AccessRule {
  const rule = reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
    execution.getHandler(),
    execution.getClass(),
  ]);
  if (!rule)
    throw new Error(
      `${execution.getClass().name}.${execution.getHandler().name} declares no access rule`,
    );
  return rule;
}
