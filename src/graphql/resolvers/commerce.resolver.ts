import {
  Args,
  Context,
  ID,
  Int,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { Ctx } from '../../auth/ctx.decorator';
import { RequireScopes } from '../../auth/require-scopes.decorator';
import { RequestContext } from '../../common/request-context';
import { validateInput } from '../../common/validation/validate-input';
import { CustomerResource } from '../../customers/customer.serializer';
import { CustomersService } from '../../customers/customers.service';
import {
  CreateCustomerDto,
  ListCustomersQueryDto,
  UpdateCustomerDto,
} from '../../customers/dto/customer.dto';
import { CreateAdjustmentDto } from '../../inventory/dto/create-adjustment.dto';
import { InventoryService } from '../../inventory/inventory.service';
import {
  CancelOrderDto,
  CreateOrderDto,
  FulfillOrderDto,
  ListOrdersQueryDto,
} from '../../orders/dto/order.dto';
import { OrderResource } from '../../orders/order.serializer';
import { OrdersService } from '../../orders/orders.service';
import { GraphqlContext } from '../graphql-context';
import { createLoaders } from '../loaders';
import { mutationPayload } from '../mutation-payload';
import { Connection, toConnection } from '../types/common.types';
import {
  Customer,
  CustomerConnection,
  CustomerInput,
  CustomerPayload,
  InventoryAdjustmentInput,
  InventoryAdjustPayload,
  Order,
  OrderConnection,
  OrderInput,
  OrderPayload,
} from '../types/commerce.types';
import { nullWhenNotFound } from './catalog.resolver';
import { pageQuery } from './page-args';

@Resolver(() => Customer)
export class CustomersResolver {
  constructor(private readonly service: CustomersService) {}

  @Query(() => Customer, { nullable: true })
  @RequireScopes('read_customers')
  customer(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<CustomerResource | null> {
    return this.service.get(ctx, id).catch(nullWhenNotFound);
  }

  @Query(() => CustomerConnection)
  @RequireScopes('read_customers')
  async customers(
    @Ctx() ctx: RequestContext,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
  ): Promise<Connection<CustomerResource>> {
    const query = validateInput(ListCustomersQueryDto, pageQuery(first, after));
    return toConnection(await this.service.list(ctx, query));
  }

  @Mutation(() => CustomerPayload)
  @RequireScopes('write_customers')
  customerCreate(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => CustomerInput }) input: CustomerInput,
  ) {
    return mutationPayload('customer', () =>
      this.service.create(ctx, validateInput(CreateCustomerDto, input)),
    );
  }

  @Mutation(() => CustomerPayload)
  @RequireScopes('write_customers')
  customerUpdate(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { type: () => CustomerInput }) input: CustomerInput,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
  ) {
    return mutationPayload('customer', () =>
      this.service.update(ctx, id, validateInput(UpdateCustomerDto, input), expectedVersion),
    );
  }
}

@Resolver(() => Order)
export class OrdersResolver {
  constructor(
    private readonly service: OrdersService,
    private readonly inventory: InventoryService,
    private readonly customers: CustomersService,
  ) {}

  @Query(() => Order, { nullable: true })
  @RequireScopes('read_orders')
  order(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<OrderResource | null> {
    return this.service.get(ctx, id).catch(nullWhenNotFound);
  }

  @Query(() => OrderConnection)
  @RequireScopes('read_orders')
  async orders(
    @Ctx() ctx: RequestContext,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
  ): Promise<Connection<OrderResource>> {
    const query = validateInput(ListOrdersQueryDto, pageQuery(first, after));
    return toConnection(await this.service.list(ctx, query));
  }

  /**
   * The order's customer, batched per operation: a page of 50 orders costs one customer query.
   * Needs `read_customers` as well: without it the field is null, as REST would show no customer.
   */
  @ResolveField(() => Customer, { nullable: true })
  customer(
    @Parent() order: OrderResource,
    @Context() context: GraphqlContext,
  ): Promise<CustomerResource | null> | null {
    const ctx = context.dukkadee;
    if (!order.customerId || !ctx?.hasScope('read_customers')) return null;
    context.loaders ??= createLoaders(ctx, this.customers);
    return context.loaders.customer.load(order.customerId);
  }

  @Mutation(() => OrderPayload)
  @RequireScopes('write_orders')
  orderCreate(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => OrderInput }) input: OrderInput,
  ) {
    return mutationPayload('order', () =>
      this.service.create(ctx, validateInput(CreateOrderDto, input)),
    );
  }

  @Mutation(() => OrderPayload)
  @RequireScopes('write_orders')
  orderPay(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
  ) {
    return mutationPayload('order', () => this.service.pay(ctx, id, expectedVersion));
  }

  @Mutation(() => OrderPayload)
  @RequireScopes('write_orders')
  orderFulfill(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
    @Args('trackingNumber', { type: () => String, nullable: true }) trackingNumber?: string,
    @Args('carrier', { type: () => String, nullable: true }) carrier?: string,
  ) {
    return mutationPayload('order', () =>
      this.service.fulfill(
        ctx,
        id,
        validateInput(FulfillOrderDto, { trackingNumber, carrier }),
        expectedVersion,
      ),
    );
  }

  @Mutation(() => OrderPayload)
  @RequireScopes('write_orders')
  orderCancel(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
    @Args('reason', { type: () => String, nullable: true }) reason?: string,
  ) {
    return mutationPayload('order', () =>
      this.service.cancel(ctx, id, validateInput(CancelOrderDto, { reason }), expectedVersion),
    );
  }

  @Mutation(() => InventoryAdjustPayload)
  @RequireScopes('write_inventory')
  inventoryAdjust(
    @Ctx() ctx: RequestContext,
    @Args('input', { type: () => InventoryAdjustmentInput }) input: InventoryAdjustmentInput,
  ) {
    return mutationPayload('inventoryLevel', () =>
      this.inventory.adjust(ctx, validateInput(CreateAdjustmentDto, input)),
    );
  }
}
