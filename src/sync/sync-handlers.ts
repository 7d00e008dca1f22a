import { Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { CreateProductDto } from '../catalog/dto/create-product.dto';
import { UpdateProductDto } from '../catalog/dto/update-product.dto';
import { ProductsService } from '../catalog/products.service';
import { unlessNotFound } from '../common/errors/domain-error';
import { validateInput } from '../common/validation/validate-input';
import { RequestContext } from '../common/request-context';
import { CreateCustomerDto, UpdateCustomerDto } from '../customers/dto/customer.dto';
import { CustomersService } from '../customers/customers.service';
import { TransactionalConnection } from '../database/transactional-connection';
import { InventoryService } from '../inventory/inventory.service';
import { InventorySetDto } from './dto/inventory-set.dto';
import type { PushableResource } from './sync-resources';

/** A resource as sync compares it: the fields a push may set, nothing the server derives. */
export type Comparable = Record<string, unknown>;

export interface Current {
  readonly id: string;
  readonly version: number | null;
  readonly fields: Comparable;
  /** The resource as REST renders it, for conflict reports. */
  readonly data: Record<string, unknown>;
}

/**
 * How push reads and writes one kind of resource, through the same services (and so the same
 * rules, events and webhooks) as REST.
 */
export interface SyncHandler {
  /** The validated body; throws `validation_failed` with every invalid field. */
  validate(data: unknown): Comparable;
  find(
    ctx: RequestContext,
    externalId: string,
    linkedId: string | undefined,
  ): Promise<Current | undefined>;
  /** Creates it from the pushed body (`data`, as REST creates it). */
  create(ctx: RequestContext, data: unknown): Promise<{ id: string; version: number | null }>;
  /** Writes `fields` (all or some of the resource's) over the current resource. */
  update(
    ctx: RequestContext,
    current: Current,
    fields: Comparable,
  ): Promise<{ id: string; version: number | null }>;
  remove(ctx: RequestContext, current: Current): Promise<void>;
  /** The resource's fields as they were at `version`, from the event log. */
  fieldsAt(ctx: RequestContext, id: string, version: number): Promise<Comparable | undefined>;
}

/**
 * The fields of `incoming` whose value differs from `other`'s. Only what `incoming` says counts:
 * a variant pushed without a title matches a variant with any title.
 */
export function changedFields(incoming: Comparable, other: Comparable): string[] {
  return Object.keys(incoming).filter((field) => !says(incoming[field], other[field]));
}

function says(incoming: unknown, other: unknown): boolean {
  if (Array.isArray(incoming))
    return (
      Array.isArray(other) &&
      other.length === incoming.length &&
      incoming.every((item, index) => says(item, other[index]))
    );
  if (incoming !== null && typeof incoming === 'object')
    return (
      other !== null &&
      typeof other === 'object' &&
      Object.entries(incoming).every(([key, value]) =>
        says(value, (other as Record<string, unknown>)[key]),
      )
    );
  return isDeepStrictEqual(incoming, other);
}

async function objectAtVersion(
  connection: TransactionalConnection,
  ctx: RequestContext,
  id: string,
  version: number,
): Promise<Record<string, unknown> | undefined> {
  const rows: { object: Record<string, unknown> }[] = await connection.manager(ctx).query(
    `SELECT payload -> 'data' -> 'object' AS object FROM events
      WHERE resource_id = $1 AND (payload -> 'data' -> 'object' ->> 'version')::int = $2
      ORDER BY sequence DESC LIMIT 1`,
    [id, version],
  );
  return rows[0]?.object;
}

/** Products: the body REST creates them with; variants matched by SKU, stock left to inventory. */
@Injectable()
export class ProductSyncHandler implements SyncHandler {
  constructor(
    private readonly products: ProductsService,
    private readonly connection: TransactionalConnection,
  ) {}

  validate(data: unknown): Comparable {
    return productFields(
      validateInput(CreateProductDto, data) as unknown as Record<string, unknown>,
    );
  }

  async find(ctx: RequestContext, _externalId: string, linkedId: string | undefined) {
    if (!linkedId) return undefined;
    const product = await unlessNotFound(this.products.get(ctx, linkedId));
    return product && current(product as unknown as Record<string, unknown>, productFields);
  }

  async create(ctx: RequestContext, data: unknown) {
    const created = await this.products.create(ctx, validateInput(CreateProductDto, data));
    return { id: created.id, version: created.version };
  }

  async update(ctx: RequestContext, existing: Current, fields: Comparable) {
    const input: Record<string, unknown> = { ...fields };
    if (fields.variants) {
      const bySku = new Map(
        (existing.data.variants as { id: string; sku: string }[]).map((v) => [v.sku, v.id]),
      );
      input.variants = (fields.variants as Record<string, unknown>[]).map((variant) => {
        const id = bySku.get(String(variant.sku));
        if (!id) return variant;
        // An existing variant's stock moves only through the inventory resource.
        const { inventoryQuantity: _stock, ...fieldsOnly } = variant;
        return { ...fieldsOnly, id };
      });
    }
    const updated = await this.products.update(
      ctx,
      existing.id,
      validateInput(UpdateProductDto, input),
    );
    return { id: updated.id, version: updated.version };
  }

  async remove(ctx: RequestContext, existing: Current) {
    await this.products.remove(ctx, existing.id);
  }

  async fieldsAt(ctx: RequestContext, id: string, version: number) {
    const object = await objectAtVersion(this.connection, ctx, id, version);
    return object && productFields(object);
  }
}

/** Customers: email, names and phone. */
@Injectable()
export class CustomerSyncHandler implements SyncHandler {
  constructor(
    private readonly customers: CustomersService,
    private readonly connection: TransactionalConnection,
  ) {}

  validate(data: unknown): Comparable {
    return customerFields(
      validateInput(CreateCustomerDto, data) as unknown as Record<string, unknown>,
    );
  }

  async find(ctx: RequestContext, _externalId: string, linkedId: string | undefined) {
    if (!linkedId) return undefined;
    const customer = await unlessNotFound(this.customers.get(ctx, linkedId));
    return customer && current(customer as unknown as Record<string, unknown>, customerFields);
  }

  async create(ctx: RequestContext, data: unknown) {
    const created = await this.customers.create(ctx, validateInput(CreateCustomerDto, data));
    return { id: created.id, version: created.version };
  }

  async update(ctx: RequestContext, existing: Current, fields: Comparable) {
    const updated = await this.customers.update(
      ctx,
      existing.id,
      validateInput(UpdateCustomerDto, fields),
    );
    return { id: updated.id, version: updated.version };
  }

  async remove(ctx: RequestContext, existing: Current) {
    await this.customers.remove(ctx, existing.id);
  }

  async fieldsAt(ctx: RequestContext, id: string, version: number) {
    const object = await objectAtVersion(this.connection, ctx, id, version);
    return object && customerFields(object);
  }
}

/**
 * Stock levels, keyed by SKU (the external id): the self-hosted side owns them (CONTRACT.md), so
 * a push sets the level it holds, as an adjustment with reason `sync`.
 */
@Injectable()
export class InventorySyncHandler implements SyncHandler {
  constructor(
    private readonly inventory: InventoryService,
    private readonly connection: TransactionalConnection,
  ) {}

  validate(data: unknown): Comparable {
    const input = validateInput(InventorySetDto, data);
    return { sku: input.sku, inventoryQuantity: input.inventoryQuantity };
  }

  async find(ctx: RequestContext, externalId: string) {
    const rows: {
      id: string;
      product_id: string;
      sku: string;
      inventory_quantity: number;
      version: number;
    }[] = await this.connection
      .manager(ctx)
      .query(
        'SELECT id, product_id, sku, inventory_quantity, version FROM variants WHERE sku = $1',
        [externalId],
      );
    const row = rows[0];
    if (!row) return undefined;
    const fields = { sku: row.sku, inventoryQuantity: row.inventory_quantity };
    return {
      id: row.id,
      version: row.version,
      fields,
      data: { variantId: row.id, productId: row.product_id, ...fields },
    };
  }

  async create(): Promise<never> {
    throw new Error('inventory is never created by push'); // see SyncPushService
  }

  async update(ctx: RequestContext, existing: Current, fields: Comparable) {
    const delta = Number(fields.inventoryQuantity) - Number(existing.fields.inventoryQuantity);
    if (delta !== 0)
      await this.inventory.adjust(ctx, { variantId: existing.id, delta, reason: 'sync' });
    return { id: existing.id, version: existing.version };
  }

  async remove(): Promise<void> {}

  async fieldsAt(): Promise<undefined> {
    return undefined;
  }
}

/** The handler of each pushable resource. */
@Injectable()
export class SyncHandlers {
  private readonly handlers: Record<PushableResource, SyncHandler>;

  constructor(
    products: ProductSyncHandler,
    customers: CustomerSyncHandler,
    inventory: InventorySyncHandler,
  ) {
    this.handlers = { product: products, customer: customers, inventory };
  }

  of(resource: PushableResource): SyncHandler {
    return this.handlers[resource];
  }
}

function current(
  object: Record<string, unknown>,
  fieldsOf: (object: Record<string, unknown>) => Comparable,
): Current {
  return {
    id: String(object.id),
    version: typeof object.version === 'number' ? object.version : null,
    fields: fieldsOf(object),
    data: object,
  };
}

/**
 * A product's comparable fields. Variants compare as a list sorted by SKU of `{sku, title,
 * price}`: stock is the inventory resource's, so a pushed `inventoryQuantity` counts only when
 * the product is created.
 */
function productFields(object: Record<string, unknown>): Comparable {
  const fields: Comparable = {};
  for (const name of ['title', 'handle', 'description', 'status', 'tags'])
    if (object[name] !== undefined) fields[name] = object[name];
  const variants = object.variants as Record<string, unknown>[] | undefined;
  if (variants)
    fields.variants = variants
      .map((variant) => ({
        sku: variant.sku,
        ...(variant.title !== undefined ? { title: variant.title } : {}),
        price: variant.price,
      }))
      .sort((a, b) => String(a.sku).localeCompare(String(b.sku)));
  return fields;
}

function customerFields(object: Record<string, unknown>): Comparable {
  const fields: Comparable = {};
  for (const name of ['email', 'firstName', 'lastName', 'phone'])
    if (object[name] !== undefined && object[name] !== null) fields[name] = object[name];
  return fields;
}
