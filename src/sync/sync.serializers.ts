import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SYNC_POLICIES } from './sync-policies';
import type { SyncConflict } from './sync-conflicts.service';
import { SYNC_RESOURCES } from './sync-resources';

export class SyncChangeResource {
  @ApiProperty({ description: 'Resume after this change' })
  cursor: string;

  @ApiProperty({ enum: SYNC_RESOURCES })
  resource: string;

  @ApiProperty({ description: 'The platform id (the variant id for inventory)' })
  id: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The self-hosted store’s id for it (the SKU for inventory); null for platform-born resources',
  })
  externalId: string | null;

  @ApiProperty({ enum: ['upsert', 'delete'] })
  op: string;

  @ApiProperty({ type: 'integer', nullable: true })
  version: number | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The resource as REST returns it',
  })
  data: Record<string, unknown>;
}

export class ChangesPageResource {
  @ApiProperty({ type: [SyncChangeResource] })
  changes: SyncChangeResource[];

  @ApiProperty({ description: 'Where to continue, also when changes is empty' })
  nextCursor: string;

  @ApiProperty()
  hasMore: boolean;
}

export class ConflictReportResource {
  @ApiProperty({ example: 'conflict_01jw3e5m8c4t9h2k7q6r0v1x2y' })
  id: string;

  @ApiProperty({ enum: SYNC_POLICIES })
  policy: string;

  @ApiPropertyOptional({ enum: ['self_hosted_won', 'platform_won', 'merged'] })
  resolution?: string;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'The platform version the push found',
  })
  serverVersion: number | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'The platform resource as the push found it',
  })
  serverData: Record<string, unknown> | null;

  @ApiProperty({
    type: [String],
    description:
      'The fields both sides changed, differently, since baseVersion (`title`, `variants[SKU].price`, `variants[SKU]`, `deleted`): those waiting for a person while open, else those the policy decided; empty when the edits were disjoint',
    example: ['variants[MUG-1].price'],
  })
  fields: string[];
}

export class PushResultResource {
  @ApiProperty()
  externalId: string;

  @ApiProperty({ enum: ['applied', 'unchanged', 'conflict', 'invalid'] })
  status: string;

  @ApiProperty({ type: String, nullable: true })
  id: string | null;

  @ApiProperty({ type: 'integer', nullable: true })
  version: number | null;

  @ApiPropertyOptional({
    type: ConflictReportResource,
    description: 'Present when the platform had changed the resource since baseVersion too',
  })
  conflict?: ConflictReportResource;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'After a concurrent edit: the resource as the platform now holds it (as REST returns it), with the platform’s own changes that the merge kept',
  })
  data?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'For invalid items: every invalid field ({path, code, message}), paths under data',
  })
  errors?: readonly unknown[];
}

export class PushAnswerResource {
  @ApiProperty()
  batchId: string;

  @ApiProperty({ type: [PushResultResource] })
  results: PushResultResource[];

  @ApiProperty({
    description: 'True when this batch id was applied before and this is its stored answer',
  })
  replayed: boolean;
}

export class SyncConflictResource {
  @ApiProperty()
  id: string;

  @ApiProperty({ enum: ['product', 'customer', 'inventory'] })
  resource: string;

  @ApiProperty()
  externalId: string;

  @ApiProperty({ type: String, nullable: true })
  resourceId: string | null;

  @ApiProperty({ enum: SYNC_POLICIES })
  policy: string;

  @ApiProperty({ enum: ['open', 'resolved'] })
  status: string;

  @ApiProperty({
    type: String,
    nullable: true,
    enum: [
      'self_hosted_won',
      'platform_won',
      'merged',
      'self_hosted_kept',
      'platform_kept',
      'superseded',
    ],
    description:
      'How it was settled: by the policy (`…_won`, `merged`), by a person (`…_kept`), or by a later push of the resource (`superseded`)',
  })
  resolution: string | null;

  @ApiProperty({ type: 'integer', nullable: true })
  baseVersion: number | null;

  @ApiProperty({ type: 'integer', nullable: true })
  serverVersion: number | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  serverData: Record<string, unknown> | null;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  incomingData: Record<string, unknown> | null;

  @ApiProperty()
  incomingDeleted: boolean;

  @ApiProperty({ type: [String] })
  fields: string[];

  @ApiProperty()
  batchId: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  resolvedAt: string | null;
}

export function serializeConflict(conflict: SyncConflict): SyncConflictResource {
  return {
    ...conflict,
    createdAt: conflict.createdAt.toISOString(),
    resolvedAt: conflict.resolvedAt?.toISOString() ?? null,
  };
}

export class SyncPoliciesResource {
  @ApiProperty({ enum: SYNC_POLICIES })
  product: string;

  @ApiProperty({ enum: SYNC_POLICIES })
  customer: string;
}
