import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { Ctx } from '../auth/ctx.decorator';
import { CarriesSecret } from '../common/http/cache-control.decorator';
import { PLATFORM_ADMIN, RequireScopes } from '../auth/require-scopes.decorator';
import { Page, PageQueryDto } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { ApiPage, ApiResource } from '../common/http/api-responses';
import {
  AppResource,
  CreatedAppResource,
  InstallationResource,
  serializeApps,
  serializeInstallation,
} from './app.serializers';
import { RateLimitOverrides } from '../throttling/rate-limit-overrides.service';
import { App, AppsService } from './apps.service';
import { CreateAppDto } from './dto/create-app.dto';
import { UpdateAppDto } from './dto/update-app.dto';
import { InstallationsService } from './installations.service';

/** OAuth apps, registered by the platform admin (CONTRACT.md, Platform administration). */
@Controller({ path: 'platform/apps', version: '1' })
@RequireScopes(PLATFORM_ADMIN)
export class PlatformAppsController {
  constructor(
    private readonly apps: AppsService,
    private readonly limits: RateLimitOverrides,
  ) {}

  @ApiResource(CreatedAppResource, 201)
  @CarriesSecret()
  @Post()
  @HttpCode(201)
  async create(
    @Ctx() ctx: RequestContext,
    @Body() body: CreateAppDto,
  ): Promise<CreatedAppResource> {
    const { app, clientSecret } = await this.apps.create(ctx, body);
    const [resource] = await this.serialize(ctx, [app]);
    return { ...resource, ...(clientSecret ? { clientSecret } : {}) };
  }

  @ApiPage(AppResource)
  @Get()
  async list(@Ctx() ctx: RequestContext, @Query() query: PageQueryDto): Promise<Page<AppResource>> {
    const page = await this.apps.list(ctx, query);
    return new Page(await this.serialize(ctx, page.data), page.nextCursor);
  }

  @ApiResource(AppResource)
  @Get(':appId')
  async get(@Ctx() ctx: RequestContext, @Param('appId') appId: string): Promise<AppResource> {
    return (await this.serialize(ctx, [await this.apps.get(ctx, appId)]))[0];
  }

  @ApiResource(AppResource)
  @Patch(':appId')
  async update(
    @Ctx() ctx: RequestContext,
    @Param('appId') appId: string,
    @Body() body: UpdateAppDto,
  ): Promise<AppResource> {
    const app = await this.apps.update(ctx, appId, body);
    return (await this.serialize(ctx, [app]))[0];
  }

  @ApiResponse({
    status: 204,
    description: 'Deleted; its tokens stop working at once and its installations end',
  })
  @Delete(':appId')
  @HttpCode(204)
  async delete(@Ctx() ctx: RequestContext, @Param('appId') appId: string): Promise<void> {
    await this.apps.delete(ctx, appId);
  }

  private serialize(ctx: RequestContext, apps: readonly App[]): Promise<AppResource[]> {
    return serializeApps(ctx, this.limits, apps);
  }
}

/** The apps installed on a store, and uninstalling them. */
@Controller({ path: 'platform/stores/:storeId/installations', version: '1' })
@RequireScopes(PLATFORM_ADMIN)
export class PlatformInstallationsController {
  constructor(private readonly installations: InstallationsService) {}

  @ApiPage(InstallationResource)
  @Get()
  async list(
    @Ctx() ctx: RequestContext,
    @Param('storeId') storeId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<InstallationResource>> {
    return (await this.installations.list(ctx, storeId, query)).map(serializeInstallation);
  }

  @ApiResponse({
    status: 204,
    description: "Uninstalled; the app's tokens for the store stop at once",
  })
  @Delete(':installationId')
  @HttpCode(204)
  async uninstall(
    @Ctx() ctx: RequestContext,
    @Param('storeId') storeId: string,
    @Param('installationId') installationId: string,
  ): Promise<void> {
    await this.installations.uninstall(ctx, storeId, installationId);
  }
}
