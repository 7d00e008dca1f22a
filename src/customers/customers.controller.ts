import { ApiResponse } from '@nestjs/swagger';
import { ApiPage, ApiResource } from '../common/http/api-responses';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Ctx } from '../auth/ctx.decorator';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { IfMatch } from '../common/http/if-match.decorator';
import { Page } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { CustomerResource } from './customer.serializer';
import { CustomersService } from './customers.service';
import { CreateCustomerDto, ListCustomersQueryDto, UpdateCustomerDto } from './dto/customer.dto';

@Controller({ path: 'customers', version: '1' })
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @ApiPage(CustomerResource)
  @Get()
  @RequireScopes('read_customers')
  list(
    @Ctx() ctx: RequestContext,
    @Query() query: ListCustomersQueryDto,
  ): Promise<Page<CustomerResource>> {
    return this.customers.list(ctx, query);
  }

  @ApiResource(CustomerResource, 201)
  @Post()
  @HttpCode(201)
  @RequireScopes('write_customers')
  create(@Ctx() ctx: RequestContext, @Body() body: CreateCustomerDto): Promise<CustomerResource> {
    return this.customers.create(ctx, body);
  }

  @ApiResource(CustomerResource)
  @Get(':id')
  @RequireScopes('read_customers')
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): Promise<CustomerResource> {
    return this.customers.get(ctx, id);
  }

  @ApiResource(CustomerResource)
  @Patch(':id')
  @RequireScopes('write_customers')
  update(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() body: UpdateCustomerDto,
    @IfMatch() expectedVersion: number | undefined,
  ): Promise<CustomerResource> {
    return this.customers.update(ctx, id, body, expectedVersion);
  }

  @ApiResponse({ status: 204, description: 'Deleted' })
  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('write_customers')
  async remove(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @IfMatch() expectedVersion: number | undefined,
  ): Promise<void> {
    await this.customers.remove(ctx, id, expectedVersion);
  }
}
