import { ApiPage, ApiResource } from '../common/http/api-responses';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Ctx } from '../auth/ctx.decorator';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { ActionBody } from '../common/http/action-body.decorator';
import { IfMatch } from '../common/http/if-match.decorator';
import { Page } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import {
  CancelOrderDto,
  CreateOrderDto,
  FulfillOrderDto,
  ListOrdersQueryDto,
} from './dto/order.dto';
import { OrderResource } from './order.serializer';
import { OrdersService } from './orders.service';

@Controller({ path: 'orders', version: '1' })
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @ApiPage(OrderResource)
  @Get()
  @RequireScopes('read_orders')
  list(
    @Ctx() ctx: RequestContext,
    @Query() query: ListOrdersQueryDto,
  ): Promise<Page<OrderResource>> {
    return this.orders.list(ctx, query);
  }

  @ApiResource(OrderResource, 201)
  @Post()
  @HttpCode(201)
  @RequireScopes('write_orders')
  create(@Ctx() ctx: RequestContext, @Body() body: CreateOrderDto): Promise<OrderResource> {
    return this.orders.create(ctx, body);
  }

  @ApiResource(OrderResource)
  @Get(':id')
  @RequireScopes('read_orders')
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<OrderResource> {
    return this.orders.get(ctx, id);
  }

  @ApiResource(OrderResource)
  @ActionBody()
  @Post(':id/pay')
  @HttpCode(200)
  @RequireScopes('write_orders')
  pay(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @IfMatch() expectedVersion: number | undefined,
  ): Promise<OrderResource> {
    return this.orders.pay(ctx, id, expectedVersion);
  }

  @ApiResource(OrderResource)
  @ActionBody(FulfillOrderDto)
  @Post(':id/fulfill')
  @HttpCode(200)
  @RequireScopes('write_orders')
  fulfill(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() body: FulfillOrderDto,
    @IfMatch() expectedVersion: number | undefined,
  ): Promise<OrderResource> {
    return this.orders.fulfill(ctx, id, body, expectedVersion);
  }

  @ApiResource(OrderResource)
  @ActionBody(CancelOrderDto)
  @Post(':id/cancel')
  @HttpCode(200)
  @RequireScopes('write_orders')
  cancel(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() body: CancelOrderDto,
    @IfMatch() expectedVersion: number | undefined,
  ): Promise<OrderResource> {
    return this.orders.cancel(ctx, id, body, expectedVersion);
  }
}
