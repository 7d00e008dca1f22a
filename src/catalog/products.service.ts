import { Injectable } from '@nestjs/common';
import { In, Not } from 'typeorm';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { isId, newId } from '../common/ids';
import { decodeCursor, Page } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { violatedUniqueConstraint } from '../database/postgres-errors';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import { EventLog } from '../events/event-log.service';
import { CreateProductDto } from './dto/create-product.dto';
import { UpdateProductDto, UpdateVariantDto } from './dto/update-product.dto';
import { ListProductsQueryDto } from './dto/list-products.query';
import { ProductEntity } from './product.entity';
import { ProductResource, serializeProduct } from './product.serializer';
import {
  readProductWithVariants,
  selectProductByHandle,
  selectProducts,
  selectProductsByTitle,
  selectVariants,
} from './product-rows';
import { VariantEntity } from './variant.entity';

@Injectable()
export class ProductsService {
  constructor(
    readonly connection: TransactionalConnection,
    private readonly events: EventLog,
  ) {}

  /** A page of products with their variants in two statements, whatever the page size. */
  @Transactional({ readOnly: true })
  async list(ctx: RequestContext, query: ListProductsQueryDto): Promise<Page<ProductResource>> {
    const after = decodeCursor(query.cursor, ['string'] as const);
    const manager = this.connection.manager(ctx);
    const rows = await selectProducts(manager, {
      afterId: after?.[0],
      status: query.status,
      updatedSince: query.updatedSince ? new Date(query.updatedSince) : undefined,
      limit: query.limit + 1,
    });
    const page = Page.fromRows(rows, query.limit, (product) => [product.id]);
    const variants = await selectVariants(
      manager,
      page.data.map((product) => product.id),
    );
    return page.map((product) => serializeProduct(product, variants.get(product.id) ?? []));
  }

  /**
   * A page of the products whose title contains `text` (any case), paged like list(); the hosted
   * admin's search box. REST has no such filter yet; it would call this.
   */
  @Transactional({ readOnly: true })
  async searchByTitle(
    ctx: RequestContext,
    search: { text: string; cursor?: string; limit: number },
  ): Promise<Page<ProductResource>> {
    const after = decodeCursor(search.cursor, ['string'] as const);
    const manager = this.connection.manager(ctx);
    const rows = await selectProductsByTitle(manager, {
      text: search.text,
      afterId: after?.[0],
      limit: search.limit + 1,
    });
    const page = Page.fromRows(rows, search.limit, (product) => [product.id]);
    const variants = await selectVariants(
      manager,
      page.data.map((product) => product.id),
    );
    return page.map((product) => serializeProduct(product, variants.get(product.id) ?? []));
  }

  /**
   * Another store's id is simply not found: it is not in this store's schema. Outside a
   * transaction this is one round trip (readOnce), with the same schema, limits and credential
   * check as a transaction's.
   */
  async get(ctx: RequestContext, productId: string): Promise<ProductResource> {
    const product = isId(productId, 'prod')
      ? await readProductWithVariants(this.connection, ctx, productId)
      : undefined;
    if (!product) throw DomainError.notFound('product');
    return serializeProduct(product, product.variants);
  }

  /** The product at a storefront address, whatever its status (the page decides what shows). */
  @Transactional({ readOnly: true })
  async getByHandle(ctx: RequestContext, handle: string): Promise<ProductResource> {
    const product = await selectProductByHandle(this.connection.manager(ctx), handle);
    if (!product) throw DomainError.notFound('product');
    return serializeProduct(product, product.variants);
  }

  @Transactional()
  async create(ctx: RequestContext, input: CreateProductDto): Promise<ProductResource> {
    const manager = this.connection.manager(ctx);
    const product = manager.create(ProductEntity, {
      id: newId('prod'),
      title: input.title,
      handle: input.handle ?? handleFromTitle(input.title),
      description: input.description ?? '',
      status: input.status ?? 'draft',
      tags: input.tags ?? [],
      version: 1,
    });
    const variants = input.variants.map((variant, position) =>
      manager.create(VariantEntity, {
        id: newId('var'),
        productId: product.id,
        position,
        sku: variant.sku,
        title: variant.title ?? '',
        price: variant.price,
        inventoryQuantity: variant.inventoryQuantity ?? 0,
        version: 1,
      }),
    );
    const taken = await this.uniquenessErrors(ctx, {
      handle: product.handle,
      skus: variants.map((variant) => variant.sku),
    });
    if (taken.length > 0) throw uniqueConflict(taken);
    try {
      await manager.insert(ProductEntity, product);
      await manager.insert(VariantEntity, variants);
    } catch (error) {
      const constraint = violatedUniqueConstraint(error);
      if (constraint !== undefined)
        throw uniqueConflict([
          {
            path: constraint.includes('sku') ? 'variants' : 'handle',
            code: 'already_exists',
            message: 'Already taken in this store.',
          },
        ]);
      throw error;
    }
    const created = await this.get(ctx, product.id);
    this.events.record(ctx, 'product.created', created.id, created);
    return created;
  }

  /**
   * Applies a partial update under a row lock, so two concurrent PATCHes cannot both pass the
   * version check. `expectedVersion` comes from If-Match (REST) or expectedVersion (GraphQL).
   */
  @Transactional()
  async update(
    ctx: RequestContext,
    productId: string,
    input: UpdateProductDto,
    expectedVersion?: number,
  ): Promise<ProductResource> {
    const manager = this.connection.manager(ctx);
    const product = await this.lockProduct(ctx, productId, expectedVersion);
    const errors: FieldError[] = [];
    const variantChanges = input.variants
      ? await this.planVariants(ctx, product.id, input.variants, errors)
      : undefined;
    errors.push(
      ...(await this.uniquenessErrors(ctx, {
        productId: product.id,
        handle: input.handle !== product.handle ? input.handle : undefined,
        skus: variantChanges?.upsert.map((variant) => variant.sku) ?? [],
      })),
    );
    if (errors.length > 0)
      throw errors.some((e) => e.code === 'not_found')
        ? notFoundFields(errors)
        : errors.some((e) => e.code === 'already_exists')
          ? uniqueConflict(errors)
          : DomainError.validation(errors);

    Object.assign(
      product,
      definedFields({
        title: input.title,
        handle: input.handle,
        description: input.description,
        status: input.status,
        tags: input.tags,
      }),
    );
    product.version += 1;
    product.updatedAt = new Date();
    await manager.save(ProductEntity, product);
    if (variantChanges) await this.applyVariants(ctx, product.id, variantChanges);
    const updated = await this.get(ctx, product.id);
    this.events.record(ctx, 'product.updated', updated.id, updated);
    return updated;
  }

  @Transactional()
  async remove(ctx: RequestContext, productId: string, expectedVersion?: number): Promise<void> {
    await this.lockProduct(ctx, productId, expectedVersion);
    const last = await this.get(ctx, productId);
    await this.connection.manager(ctx).delete(ProductEntity, { id: productId });
    this.events.record(ctx, 'product.deleted', last.id, last);
  }

  private lockProduct(
    ctx: RequestContext,
    productId: string,
    expectedVersion?: number,
  ): Promise<ProductEntity> {
    return this.connection.getEntityOrThrow(ctx, ProductEntity, productId, {
      prefix: 'prod',
      name: 'product',
      lock: true,
      expectedVersion,
    });
  }

  /** Checks a replacement variant list and says what to insert, update and delete (SKUs aside). */
  private async planVariants(
    ctx: RequestContext,
    productId: string,
    input: UpdateVariantDto[],
    errors: FieldError[],
  ): Promise<VariantPlan> {
    const manager = this.connection.manager(ctx);
    const existing = await manager.find(VariantEntity, { where: { productId } });
    const byId = new Map(existing.map((variant) => [variant.id, variant]));
    const plan: VariantPlan = { upsert: [], remove: [] };
    input.forEach((variant, position) => {
      const path = `variants.${position}`;
      if (variant.id !== undefined) {
        const current = byId.get(variant.id);
        if (!current)
          return void errors.push({
            path: `${path}.id`,
            code: 'not_found',
            message: 'No such variant on this product.',
          });
        if (
          variant.inventoryQuantity !== undefined &&
          variant.inventoryQuantity !== current.inventoryQuantity
        ) {
          errors.push({
            path: `${path}.inventoryQuantity`,
            code: 'read_only',
            message: 'Change stock with POST /v1/inventory/adjustments.',
          });
        }
        plan.upsert.push({
          current,
          position,
          sku: variant.sku ?? current.sku,
          title: variant.title ?? current.title,
          price: variant.price ?? current.price,
          inventoryQuantity: current.inventoryQuantity,
        });
      } else {
        if (variant.sku === undefined)
          errors.push({
            path: `${path}.sku`,
            code: 'required',
            message: 'A new variant needs a sku.',
          });
        if (variant.price === undefined)
          errors.push({
            path: `${path}.price`,
            code: 'required',
            message: 'A new variant needs a price.',
          });
        plan.upsert.push({
          position,
          sku: variant.sku ?? '',
          title: variant.title ?? '',
          price: variant.price ?? 0,
          inventoryQuantity: variant.inventoryQuantity ?? 0,
        });
      }
    });
    const kept = new Set(plan.upsert.map((variant) => variant.current?.id));
    plan.remove = existing.filter((variant) => !kept.has(variant.id)).map((variant) => variant.id);
    return plan;
  }

  private async applyVariants(
    ctx: RequestContext,
    productId: string,
    plan: VariantPlan,
  ): Promise<void> {
    const manager = this.connection.manager(ctx);
    if (plan.remove.length > 0) await manager.delete(VariantEntity, { id: In(plan.remove) });
    // Free every SKU first, so swapping SKUs between two variants does not trip the unique index.
    const updates = plan.upsert.filter((variant) => variant.current);
    for (const variant of updates)
      await manager.update(
        VariantEntity,
        { id: variant.current!.id },
        { sku: `${variant.current!.id}:moving` },
      );
    for (const variant of plan.upsert) {
      const fields = {
        position: variant.position,
        sku: variant.sku,
        title: variant.title,
        price: variant.price,
      };
      if (variant.current) {
        const changed =
          variant.current.sku !== variant.sku ||
          variant.current.title !== variant.title ||
          variant.current.price !== variant.price ||
          variant.current.position !== variant.position;
        await manager.update(
          VariantEntity,
          { id: variant.current.id },
          changed
            ? { ...fields, version: variant.current.version + 1, updatedAt: new Date() }
            : { sku: variant.sku },
        );
      } else {
        await manager.insert(VariantEntity, {
          id: newId('var'),
          productId,
          ...fields,
          inventoryQuantity: variant.inventoryQuantity,
          version: 1,
        });
      }
    }
  }

  /**
   * The handle and SKUs (by their position in `variants`) already taken in the store by another
   * product than `productId`, or given twice. The unique indexes decide between concurrent
   * writes; this names every taken field up front.
   */
  private async uniquenessErrors(
    ctx: RequestContext,
    wanted: { productId?: string; handle?: string; skus: readonly string[] },
  ): Promise<FieldError[]> {
    const manager = this.connection.manager(ctx);
    const errors: FieldError[] = [];
    const { productId, handle } = wanted;
    if (
      handle !== undefined &&
      (await manager.existsBy(ProductEntity, {
        handle,
        ...(productId === undefined ? {} : { id: Not(productId) }),
      }))
    ) {
      errors.push({
        path: 'handle',
        code: 'already_exists',
        message: `The handle "${handle}" is taken in this store.`,
      });
    }
    const skus = wanted.skus;
    const given = skus.filter(Boolean);
    const takenElsewhere = new Set(
      given.length === 0
        ? []
        : (await manager.findBy(VariantEntity, { sku: In(given) }))
            .filter((variant) => variant.productId !== productId)
            .map((variant) => variant.sku),
    );
    skus.forEach((sku, index) => {
      if (sku && (takenElsewhere.has(sku) || skus.indexOf(sku) !== index)) {
        errors.push({
          path: `variants.${index}.sku`,
          code: 'already_exists',
          message: `The SKU "${sku}" is taken in this store.`,
        });
      }
    });
    return errors;
  }
}

interface VariantPlan {
  upsert: {
    current?: VariantEntity;
    position: number;
    sku: string;
    title: string;
    price: number;
    inventoryQuantity: number;
  }[];
  remove: string[];
}

function definedFields<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

function notFoundFields(errors: FieldError[]): DomainError {
  return new DomainError('not_found', 'A referenced id does not exist in this store.', {
    errors: errors.filter((e) => e.code === 'not_found'),
  });
}

function uniqueConflict(errors: FieldError[]): DomainError {
  return new DomainError('already_exists', 'Another product already uses this handle or SKU.', {
    errors,
  });
}

function handleFromTitle(title: string): string {
  const slug = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug || newId('prod').slice(5);
}
