import { Injectable } from '@nestjs/common';
import { UpdateProductDto } from '../catalog/dto/update-product.dto';
import { ProductsService } from '../catalog/products.service';
import { unlessNotFound } from '../common/errors/domain-error';
import { validateInput } from '../common/validation/validate-input';
import { RequestContext } from '../common/request-context';
import { UpdateCustomerDto } from '../customers/dto/customer.dto';
import { CustomersService } from '../customers/customers.service';
import { EventLog } from '../events/event-log.service';
import { InventoryService } from '../inventory/inventory.service';
import { InventorySetDto } from './dto/inventory-set.dto';
import { SyncCustomerDto, SyncProductDto } from './dto/sync-bodies.dto';
import type { PushableResource } from './sync-resources';
import type { Fields, ResourceShape } from './three-way-merge';

export interface Current {
  readonly id: string;
  readonly version: number | null;
  readonly fields: Fields;
  /** The resource as REST renders it, for conflict reports. */
  readonly data: Record<string, unknown>;
}

/**
 * How push reads and writes one kind of resource, through the same services (and so the same
 * rules, events and webhooks) as REST. The sync agent writes the platform's values into the
 * self-hosted store through the same handlers.
 */
export interface SyncHandler {
  /** How the resource's fields merge (SyncPushService). */
  readonly shape: ResourceShape;
  /** The pushed body, validated; throws `validation_failed` with every invalid field. */
  validate(data: unknown): Record<string, unknown>;
  /** The fields sync compares, of a validated body or of the resource as REST renders it. */
  fieldsOf(object: Record<string, unknown>): Fields;
  find(
    ctx: RequestContext,
    externalId: string,
    linkedId: string | undefined,
  ): Promise<Current | undefined>;
  /** Creates it from a validated body (`data`, as REST creates it). */
  create(ctx: RequestContext, body: Record<string, unknown>): Promise<Current>;
  /**
   * Writes `fields` (all or some of the resource's) over `current`, provided it is still at
   * `current.version` (else `version_conflict`). A variant new to the resource takes its stock
   * from `source`, the body or resource the fields came from.
   */
  update(
    ctx: RequestContext,
    current: Current,
    fields: Fields,
    source: Record<string, unknown>,
  ): Promise<Current>;
  remove(ctx: RequestContext, current: Current): Promise<void>;
  /** The resource's fields as they were at `version`, from the event log. */
  fieldsAt(ctx: RequestContext, id: string, version: number): Promise<Fields | undefined>;
}

/** Products: the body REST creates them with; variants matched by SKU, stock left to inventory. */
@Injectable()
export class ProductSyncHandler implements SyncHandler {
  readonly shape: ResourceShape = { keyedLists: { variants: 'sku' }, sets: ['tags'] };

  constructor(
    private readonly products: ProductsService,
    private readonly events: EventLog,
  ) {}

  validate(data: unknown): Record<string, unknown> {
    return validateInput(SyncProductDto, data) as unknown as Record<string, unknown>;
  }

  fieldsOf(object: Record<string, unknown>): Fields {
    return productFields(object);
  }

  async find(ctx: RequestContext, _externalId: string, linkedId: string | undefined) {
    if (!linkedId) return undefined;
    const product = await unlessNotFound(this.products.get(ctx, linkedId));
    return product && current(product as unknown as Record<string, unknown>, productFields);
  }

  async create(ctx: RequestContext, body: Record<string, unknown>) {
    const created = await this.products.create(ctx, body as unknown as SyncProductDto);
    return current(created as unknown as Record<string, unknown>, productFields);
  }

  async update(
    ctx: RequestContext,
    existing: Current,
    fields: Fields,
    source: Record<string, unknown>,
  ) {
    const input: Record<string, unknown> = { ...fields };
    if (fields.variants) {
      const ids = skuMap(existing.data.variants, (variant) => variant.id);
      const stock = skuMap(source.variants, (variant) => variant.inventoryQuantity);
      // Matched by SKU: existing ones keep their stock (it moves only through inventory), new
      // ones start with the source's.
      input.variants = (fields.variants as Fields[]).map((variant) => {
        const id = ids.get(String(variant.sku));
        if (id !== undefined) return { ...variant, id };
        const quantity = stock.get(String(variant.sku));
        return quantity === undefined ? variant : { ...variant, inventoryQuantity: quantity };
      });
    }
    const updated = await this.products.update(
      ctx,
      existing.id,
      validateInput(UpdateProductDto, input),
      existing.version ?? undefined,
    );
    return current(updated as unknown as Record<string, unknown>, productFields);
  }

  async remove(ctx: RequestContext, existing: Current) {
    await this.products.remove(ctx, existing.id);
  }

  async fieldsAt(ctx: RequestContext, id: string, version: number) {
    const object = await this.events.objectAtVersion(ctx, id, version);
    return object && productFields(object);
  }
}

/** Customers: email, names and phone. */
@Injectable()
export class CustomerSyncHandler implements SyncHandler {
  readonly shape: ResourceShape = { keyedLists: {}, sets: [] };

  constructor(
    private readonly customers: CustomersService,
    private readonly events: EventLog,
  ) {}

  validate(data: unknown): Record<string, unknown> {
    return validateInput(SyncCustomerDto, data) as unknown as Record<string, unknown>;
  }

  fieldsOf(object: Record<string, unknown>): Fields {
    return customerFields(object);
  }

  async find(ctx: RequestContext, _externalId: string, linkedId: string | undefined) {
    if (!linkedId) return undefined;
    const customer = await unlessNotFound(this.customers.get(ctx, linkedId));
    return customer && current(customer as unknown as Record<string, unknown>, customerFields);
  }

  async create(ctx: RequestContext, body: Record<string, unknown>) {
    const created = await this.customers.create(ctx, body as unknown as SyncCustomerDto);
    return current(created as unknown as Record<string, unknown>, customerFields);
  }

  /** `fields` were validated as a sync body, where `""` clears a phone (SyncCustomerDto). */
  async update(ctx: RequestContext, existing: Current, fields: Fields) {
    const updated = await this.customers.update(
      ctx,
      existing.id,
      fields as UpdateCustomerDto,
      existing.version ?? undefined,
    );
    return current(updated as unknown as Record<string, unknown>, customerFields);
  }

  async remove(ctx: RequestContext, existing: Current) {
    await this.customers.remove(ctx, existing.id);
  }

  async fieldsAt(ctx: RequestContext, id: string, version: number) {
    const object = await this.events.objectAtVersion(ctx, id, version);
    return object && customerFields(object);
  }
}

/**
 * Stock levels, keyed by SKU (the external id): the self-hosted side owns them (CONTRACT.md), so
 * a push sets the level it holds, as an adjustment with reason `sync`.
 */
@Injectable()
export class InventorySyncHandler implements SyncHandler {
  readonly shape: ResourceShape = { keyedLists: {}, sets: [] };

  constructor(private readonly inventory: InventoryService) {}

  validate(data: unknown): Record<string, unknown> {
    return validateInput(InventorySetDto, data) as unknown as Record<string, unknown>;
  }

  fieldsOf(object: Record<string, unknown>): Fields {
    return { sku: object.sku, inventoryQuantity: object.inventoryQuantity };
  }

  async find(ctx: RequestContext, externalId: string) {
    const level = await this.inventory.levelOfSku(ctx, externalId);
    if (!level) return undefined;
    const fields = { sku: level.sku, inventoryQuantity: level.inventoryQuantity };
    return {
      id: level.variantId,
      version: level.version,
      fields,
      data: { variantId: level.variantId, productId: level.productId, ...fields },
    };
  }

  async create(): Promise<never> {
    throw new Error('inventory is never created by push'); // see SyncPushService
  }

  async update(ctx: RequestContext, existing: Current, fields: Fields) {
    const delta = Number(fields.inventoryQuantity) - Number(existing.fields.inventoryQuantity);
    if (delta !== 0)
      await this.inventory.adjust(ctx, { variantId: existing.id, delta, reason: 'sync' });
    return { ...existing, fields: { ...existing.fields, ...fields } };
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

function current(object: Record<string, unknown>, fieldsOf: (object: Fields) => Fields): Current {
  return {
    id: String(object.id),
    version: typeof object.version === 'number' ? object.version : null,
    fields: fieldsOf(object),
    data: object,
  };
}

function skuMap(variants: unknown, value: (variant: Fields) => unknown): Map<string, unknown> {
  return new Map(
    (Array.isArray(variants) ? (variants as Fields[]) : [])
      .filter((variant) => value(variant) !== undefined)
      .map((variant) => [String(variant.sku), value(variant)]),
  );
}

/**
 * A product's comparable fields. Variants are `{sku, title, price}`, matched by SKU: stock is
 * the inventory resource's, so a pushed `inventoryQuantity` counts only for a new variant.
 */
function productFields(object: Fields): Fields {
  const fields = defined(object, ['title', 'handle', 'description', 'status', 'tags']);
  if (Array.isArray(object.variants))
    fields.variants = (object.variants as Fields[]).map((variant) =>
      defined(variant, ['sku', 'title', 'price']),
    );
  return fields;
}

function customerFields(object: Fields): Fields {
  return defined(object, ['email', 'firstName', 'lastName', 'phone']);
}

/** The named fields that have a value: one a body leaves out is one it does not change. */
function defined(object: Fields, names: readonly string[]): Fields {
  return Object.fromEntries(
    names.filter((name) => object[name] !== undefined).map((name) => [name, object[name]]),
  );
}
