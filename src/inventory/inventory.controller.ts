import { ApiResource } from '../common/http/api-responses';
import { AdjustmentResultResource } from './inventory-level.serializer';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { Ctx } from '../auth/ctx.decorator';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { RequestContext } from '../common/request-context';
import { CreateAdjustmentDto } from './dto/create-adjustment.dto';
import { InventoryService } from './inventory.service';

@Controller({ path: 'inventory', version: '1' })
export class InventoryController {
  constructor(private readonly inventory: InventoryService) {}

  @ApiResource(AdjustmentResultResource, 201)
  @Post('adjustments')
  @HttpCode(201)
  @RequireScopes('write_inventory')
  adjust(@Ctx() ctx: RequestContext, @Body() body: CreateAdjustmentDto) {
    return this.inventory.adjust(ctx, body);
  }
}
