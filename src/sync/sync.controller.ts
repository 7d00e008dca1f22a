import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Ctx } from '../auth/ctx.decorator';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { Page } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { ApiPage, ApiResource } from '../common/http/api-responses';
import { ListChangesQueryDto } from './dto/list-changes.query';
import { ListConflictsQueryDto } from './dto/list-conflicts.query';
import { PushBatchDto } from './dto/push-batch.dto';
import { ResolveConflictDto, UpdateSyncPoliciesDto } from './dto/sync-policies.dto';
import { SyncChangesService } from './sync-changes.service';
import { SyncConflictsService } from './sync-conflicts.service';
import { SyncPoliciesService } from './sync-policies.service';
import { SyncPushService } from './sync-push.service';
import type { SyncResource } from './sync-resources';
import {
  ChangesPageResource,
  PushAnswerResource,
  serializeConflict,
  SyncConflictResource,
  SyncPoliciesResource,
} from './sync.serializers';

/** The sync API of self-hosted stores (CONTRACT.md, Sync), with the `sync` scope. */
@Controller({ path: 'sync', version: '1' })
@RequireScopes('sync')
export class SyncController {
  constructor(
    private readonly changes: SyncChangesService,
    private readonly pushes: SyncPushService,
    private readonly conflicts: SyncConflictsService,
    private readonly policies: SyncPoliciesService,
  ) {}

  @ApiResource(ChangesPageResource)
  @Get('changes')
  async list(
    @Ctx() ctx: RequestContext,
    @Query() query: ListChangesQueryDto,
  ): Promise<ChangesPageResource> {
    return this.changes.list(ctx, {
      cursor: query.cursor,
      limit: query.limit,
      resources: query.resources?.split(',') as SyncResource[] | undefined,
    });
  }

  @ApiResource(PushAnswerResource)
  @Post('push')
  @HttpCode(200)
  async push(@Ctx() ctx: RequestContext, @Body() body: PushBatchDto): Promise<PushAnswerResource> {
    return this.pushes.push(ctx, body);
  }

  @ApiPage(SyncConflictResource)
  @Get('conflicts')
  async listConflicts(
    @Ctx() ctx: RequestContext,
    @Query() query: ListConflictsQueryDto,
  ): Promise<Page<SyncConflictResource>> {
    return (await this.conflicts.list(ctx, query)).map(serializeConflict);
  }

  @ApiResource(SyncConflictResource)
  @Get('conflicts/:conflictId')
  async getConflict(
    @Ctx() ctx: RequestContext,
    @Param('conflictId') conflictId: string,
  ): Promise<SyncConflictResource> {
    return serializeConflict(await this.conflicts.get(ctx, conflictId));
  }

  @ApiResource(SyncConflictResource)
  @Post('conflicts/:conflictId/resolve')
  @HttpCode(200)
  async resolve(
    @Ctx() ctx: RequestContext,
    @Param('conflictId') conflictId: string,
    @Body() body: ResolveConflictDto,
  ): Promise<SyncConflictResource> {
    return serializeConflict(await this.conflicts.resolve(ctx, conflictId, body.keep));
  }

  @ApiResource(SyncPoliciesResource)
  @Get('policies')
  async getPolicies(@Ctx() ctx: RequestContext): Promise<SyncPoliciesResource> {
    return this.policies.current(ctx);
  }

  @ApiResource(SyncPoliciesResource)
  @Patch('policies')
  async setPolicies(
    @Ctx() ctx: RequestContext,
    @Body() body: UpdateSyncPoliciesDto,
  ): Promise<SyncPoliciesResource> {
    return this.policies.set(ctx, body);
  }
}
