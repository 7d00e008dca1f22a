import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  BucketLimitResource,
  RateLimitsResource,
  serializeRateLimits,
} from '../throttling/rate-limits.serializer';
import type { RequestContext } from '../common/request-context';
import type { RateLimitOverrides, RateLimits } from '../throttling/rate-limit-overrides.service';
import type { App } from './apps.service';
import type { Installation } from './installations.service';

export class AppResource implements RateLimitsResource {
  @ApiProperty({ example: 'app_01jw3e5m8c4t9h2k7q6r0v1x2y' })
  id: string;

  @ApiProperty({ description: 'The OAuth client_id', example: 'dkc_…' })
  clientId: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: [String] })
  redirectUris: string[];

  @ApiProperty({ type: [String] })
  scopes: string[];

  @ApiProperty({ description: 'Confidential apps hold a client secret; public ones use PKCE' })
  confidential: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Set for a single-store app, which may use client_credentials',
  })
  storeId: string | null;

  @ApiProperty({ description: 'REST requests per store: this app’s override, or the default' })
  rateLimit: BucketLimitResource;

  @ApiProperty({
    description: 'GraphQL cost points per store: this app’s override, or the default',
  })
  graphqlCost: BucketLimitResource;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

/** The answer to registering an app: the only time the client secret is shown. */
export class CreatedAppResource extends AppResource {
  @ApiPropertyOptional({
    description: 'Confidential apps only; shown this once, only its hash is stored',
    example: 'dk_cs_…',
  })
  clientSecret?: string;
}

export function serializeApp(app: App, limits: RateLimits): AppResource {
  return {
    id: app.id,
    clientId: app.clientId,
    name: app.name,
    redirectUris: [...app.redirectUris],
    scopes: [...app.scopes],
    confidential: app.confidential,
    storeId: app.storeId,
    ...serializeRateLimits(limits),
    createdAt: app.createdAt.toISOString(),
    updatedAt: app.updatedAt.toISOString(),
  };
}

/** Apps with their effective rate limits, read in one statement (the API and the CLI). */
export async function serializeApps(
  ctx: RequestContext,
  overrides: RateLimitOverrides,
  apps: readonly App[],
): Promise<AppResource[]> {
  const limits = await overrides.getMany(
    ctx,
    apps.map((app) => app.id),
  );
  return apps.map((app) => serializeApp(app, limits.get(app.id)!));
}

export class InstallationResource {
  @ApiProperty({ example: 'inst_01jw3e5m8c4t9h2k7q6r0v1x2y' })
  id: string;

  @ApiProperty()
  appId: string;

  @ApiProperty()
  appName: string;

  @ApiProperty()
  storeId: string;

  @ApiProperty({ type: [String], description: 'Every scope the merchant has approved' })
  scopes: string[];

  @ApiProperty({ type: String, nullable: true, description: 'The staff account that approved' })
  installedBy: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export function serializeInstallation(installation: Installation): InstallationResource {
  return {
    id: installation.id,
    appId: installation.appId,
    appName: installation.appName,
    storeId: installation.storeId,
    scopes: [...installation.scopes],
    installedBy: installation.installedBy,
    createdAt: installation.createdAt.toISOString(),
    updatedAt: installation.updatedAt.toISOString(),
  };
}
