import { ApiResponse } from '@nestjs/swagger';
import { ApiPage, ApiResource } from '../common/http/api-responses';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Ctx } from '../auth/ctx.decorator';
import { CarriesSecret } from '../common/http/cache-control.decorator';
import { PLATFORM_ADMIN, RequireScopes } from '../auth/require-scopes.decorator';
import { Page, PageQueryDto } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { UpdateRateLimitsDto } from '../throttling/dto/update-rate-limits.dto';
import { ApiKeysService } from './api-keys.service';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { CreateStaffDto } from './dto/create-staff.dto';
import { CreateStoreDto } from './dto/create-store.dto';
import { UpdateStoreDto } from './dto/update-store.dto';
import {
  ApiKeyResource,
  CreatedApiKeyResource,
  serializeApiKey,
  serializeCreatedApiKey,
  serializeStaff,
  serializeStore,
  StaffResource,
  StoreResource,
} from './platform.serializers';
import { StaffService } from './staff.service';
import { StoresService } from './stores.service';

/** Bootstrap administration of stores, their API keys and staff, with the platform admin token. */
@Controller({ path: 'platform/stores', version: '1' })
@RequireScopes(PLATFORM_ADMIN)
export class PlatformStoresController {
  constructor(
    private readonly stores: StoresService,
    private readonly apiKeys: ApiKeysService,
    private readonly staff: StaffService,
  ) {}

  @ApiResource(StoreResource, 201)
  @Post()
  @HttpCode(201)
  async create(@Ctx() ctx: RequestContext, @Body() body: CreateStoreDto): Promise<StoreResource> {
    return serializeStore(await this.stores.create(ctx, body));
  }

  @ApiPage(StoreResource)
  @Get()
  async list(
    @Ctx() ctx: RequestContext,
    @Query() query: PageQueryDto,
  ): Promise<Page<StoreResource>> {
    return (await this.stores.list(ctx, query)).map(serializeStore);
  }

  @ApiResource(StoreResource)
  @Get(':storeId')
  async get(@Ctx() ctx: RequestContext, @Param('storeId') storeId: string): Promise<StoreResource> {
    return serializeStore(await this.stores.get(ctx, storeId));
  }

  @ApiResource(StoreResource)
  @Patch(':storeId')
  async update(
    @Ctx() ctx: RequestContext,
    @Param('storeId') storeId: string,
    @Body() body: UpdateStoreDto,
  ): Promise<StoreResource> {
    return serializeStore(await this.stores.update(ctx, storeId, body));
  }

  @ApiResource(CreatedApiKeyResource, 201)
  @CarriesSecret()
  @Post(':storeId/api-keys')
  @HttpCode(201)
  async createApiKey(
    @Ctx() ctx: RequestContext,
    @Param('storeId') storeId: string,
    @Body() body: CreateApiKeyDto,
  ) {
    const { apiKey, key } = await this.apiKeys.create(ctx, storeId, body);
    return serializeCreatedApiKey(apiKey, key);
  }

  @ApiPage(ApiKeyResource)
  @Get(':storeId/api-keys')
  async listApiKeys(
    @Ctx() ctx: RequestContext,
    @Param('storeId') storeId: string,
    @Query() query: PageQueryDto,
  ) {
    return (await this.apiKeys.list(ctx, storeId, query)).map(serializeApiKey);
  }

  @ApiResource(ApiKeyResource)
  @Patch(':storeId/api-keys/:keyId')
  async updateApiKey(
    @Ctx() ctx: RequestContext,
    @Param('storeId') storeId: string,
    @Param('keyId') keyId: string,
    @Body() body: UpdateRateLimitsDto,
  ): Promise<ApiKeyResource> {
    return serializeApiKey(await this.apiKeys.update(ctx, storeId, keyId, body));
  }

  @ApiResponse({ status: 204, description: 'Revoked; the key stops working at once' })
  @Delete(':storeId/api-keys/:keyId')
  @HttpCode(204)
  async revokeApiKey(
    @Ctx() ctx: RequestContext,
    @Param('storeId') storeId: string,
    @Param('keyId') keyId: string,
  ): Promise<void> {
    await this.apiKeys.revoke(ctx, storeId, keyId);
  }

  @ApiResource(StaffResource, 201)
  @Post(':storeId/staff')
  @HttpCode(201)
  async createStaff(
    @Ctx() ctx: RequestContext,
    @Param('storeId') storeId: string,
    @Body() body: CreateStaffDto,
  ) {
    return serializeStaff(await this.staff.create(ctx, storeId, body));
  }
}
