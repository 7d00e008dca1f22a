import { ApiProperty } from '@nestjs/swagger';
import { BucketLimitResource, serializeRateLimits } from '../throttling/rate-limits.serializer';
import type { ApiKeyEntity } from './api-key.entity';
import type { ApiKeyWithLimits } from './api-keys.service';
import type { StaffEntity } from './staff.entity';
import type { StoreEntity } from './store.entity';

export class StoreResource {
  @ApiProperty()
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  handle: string;

  @ApiProperty()
  currency: string;

  @ApiProperty({ enum: ['hosted', 'self_hosted'] })
  hosting: string;

  @ApiProperty({ enum: ['active', 'suspended'] })
  status: string;

  @ApiProperty({ type: [String] })
  domains: string[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export function serializeStore(store: StoreEntity): StoreResource {
  return {
    id: store.id,
    name: store.name,
    handle: store.handle,
    currency: store.currency,
    hosting: store.hosting,
    status: store.status,
    domains: [...(store.domains ?? [])]
      .sort((a, b) => a.position - b.position)
      .map((d) => d.domain),
    createdAt: store.createdAt.toISOString(),
  };
}

export class ApiKeyResource {
  @ApiProperty()
  id: string;

  @ApiProperty()
  storeId: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: [String] })
  scopes: string[];

  @ApiProperty({ description: 'The first characters of the key; the key itself is shown once' })
  prefix: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUsedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt: string | null;

  @ApiProperty({ description: "REST requests per store: the default or this key's own limit" })
  rateLimit: BucketLimitResource;

  @ApiProperty({ description: "GraphQL cost points per store: the default or this key's own" })
  graphqlCost: BucketLimitResource;
}

export function serializeApiKey({ apiKey: key, limits }: ApiKeyWithLimits): ApiKeyResource {
  return {
    id: key.id,
    storeId: key.storeId,
    name: key.name,
    scopes: key.scopes,
    prefix: key.prefix,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    ...serializeRateLimits(limits),
  };
}

export class StaffResource {
  @ApiProperty()
  id: string;

  @ApiProperty()
  storeId: string;

  @ApiProperty()
  email: string;

  @ApiProperty({ enum: ['owner', 'staff'] })
  role: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export function serializeStaff(staff: StaffEntity): StaffResource {
  return {
    id: staff.id,
    storeId: staff.storeId,
    email: staff.email,
    role: staff.role,
    createdAt: staff.createdAt.toISOString(),
  };
}

/** The answer to creating a key: the only time the key itself is shown. */
export class CreatedApiKeyResource {
  @ApiProperty({ example: 'key_01jw3e5m8c4t9h2k7q6r0v1x2y' })
  id: string;

  @ApiProperty()
  storeId: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: [String] })
  scopes: string[];

  @ApiProperty()
  prefix: string;

  @ApiProperty({ description: 'Shown this once; only its hash is stored', example: 'dk_live_…' })
  key: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export function serializeCreatedApiKey(apiKey: ApiKeyEntity, key: string): CreatedApiKeyResource {
  return {
    id: apiKey.id,
    storeId: apiKey.storeId,
    name: apiKey.name,
    scopes: apiKey.scopes,
    prefix: apiKey.prefix,
    key,
    createdAt: apiKey.createdAt.toISOString(),
  };
}
