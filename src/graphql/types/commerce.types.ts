import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { SafeInt } from '../scalars';
import { ConnectionType, UserError, VersionedNode } from './common.types';

@ObjectType()
export class Customer extends VersionedNode {
  @Field()
  email: string;

  @Field()
  firstName: string;

  @Field()
  lastName: string;

  @Field()
  phone: string;
}

export const CustomerConnection = ConnectionType(Customer);

@InputType({
  description: 'The fields of POST /v1/customers (customerCreate) or PATCH (customerUpdate)',
})
export class CustomerInput {
  @Field({ nullable: true })
  email?: string;

  @Field({ nullable: true })
  firstName?: string;

  @Field({ nullable: true })
  lastName?: string;

  @Field({ nullable: true })
  phone?: string;
}

@ObjectType()
export class CustomerPayload {
  @Field(() => Customer, { nullable: true })
  customer: Customer | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class LineItem {
  @Field(() => ID)
  id: string;

  @Field(() => ID, { nullable: true, description: 'Null once the variant is deleted' })
  variantId: string | null;

  @Field()
  sku: string;

  @Field()
  title: string;

  @Field(() => Int)
  quantity: number;

  @Field(() => SafeInt)
  unitPrice: number;

  @Field(() => SafeInt)
  total: number;
}

@ObjectType()
export class Order extends VersionedNode {
  @Field(() => Int, { description: '1, 2, 3… in the store' })
  number: number;

  @Field()
  email: string;

  @Field(() => ID, { nullable: true })
  customerId: string | null;

  @Field(() => [LineItem])
  lineItems: LineItem[];

  @Field(() => SafeInt)
  subtotal: number;

  @Field(() => SafeInt)
  total: number;

  @Field()
  currency: string;

  @Field({ description: 'open | cancelled | closed' })
  status: string;

  @Field({ description: 'pending | paid | refunded' })
  financialStatus: string;

  @Field({ description: 'unfulfilled | fulfilled' })
  fulfillmentStatus: string;

  @Field(() => String, {
    nullable: true,
    description: 'The reason given when the order was cancelled; null otherwise',
  })
  cancelReason: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The tracking number given when the order was fulfilled; null otherwise',
  })
  trackingNumber: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The carrier given when the order was fulfilled; null otherwise',
  })
  carrier: string | null;
}

export const OrderConnection = ConnectionType(Order);

@InputType()
export class LineItemInput {
  @Field(() => ID)
  variantId: string;

  @Field(() => Int)
  quantity: number;
}

@InputType()
export class OrderInput {
  @Field(() => ID, { nullable: true })
  customerId?: string;

  @Field()
  email: string;

  @Field(() => [LineItemInput])
  lineItems: LineItemInput[];
}

@ObjectType()
export class OrderPayload {
  @Field(() => Order, { nullable: true })
  order: Order | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType()
export class InventoryAdjustmentInput {
  @Field(() => ID)
  variantId: string;

  @Field(() => Int, { description: 'Added to the stock; negative to remove' })
  delta: number;

  @Field()
  reason: string;
}

@ObjectType()
export class InventoryLevel {
  @Field(() => ID)
  variantId: string;

  @Field(() => ID)
  productId: string;

  @Field()
  sku: string;

  @Field(() => Int)
  inventoryQuantity: number;

  @Field(() => ID, {
    nullable: true,
    description: 'The adjustment that set this level (inventoryAdjust); null in events',
  })
  adjustmentId?: string | null;
}

@ObjectType()
export class InventoryAdjustPayload {
  @Field(() => InventoryLevel, { nullable: true })
  inventoryLevel: InventoryLevel | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class WebhookSubscription extends VersionedNode {
  @Field()
  url: string;

  @Field(() => [String])
  topics: string[];

  @Field({ description: 'active | disabled' })
  status: string;

  @Field(() => String, { nullable: true })
  disabledReason: string | null;

  @Field()
  apiVersion: string;

  @Field(() => String, {
    nullable: true,
    description: 'The signing secret (whsec_…): only in webhookSubscriptionCreate',
  })
  secret?: string;
}

export const WebhookSubscriptionConnection = ConnectionType(WebhookSubscription);

@InputType()
export class WebhookSubscriptionInput {
  @Field()
  url: string;

  @Field(() => [String])
  topics: string[];
}

@ObjectType()
export class WebhookSubscriptionPayload {
  @Field(() => WebhookSubscription, { nullable: true })
  webhookSubscription: WebhookSubscription | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
