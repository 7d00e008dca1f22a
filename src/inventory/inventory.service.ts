import { Injectable } from '@nestjs/common';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { isId, newId } from '../common/ids';
import { RequestContext } from '../common/request-context';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import { EventLog } from '../events/event-log.service';
import { CreateAdjustmentDto } from './dto/create-adjustment.dto';
import { InventoryLevelResource } from './inventory-level.serializer';

export interface StockLine {
  readonly variantId: string;
  readonly quantity: number;
  /** Where the line came from in the request, for field errors (`lineItems.2.variantId`). */
  readonly path: string;
}

export interface LockedVariant {
  readonly id: string;
  readonly productId: string;
  readonly sku: string;
  readonly title: string;
  readonly productTitle: string;
  readonly price: number;
  readonly inventoryQuantity: number;
}

interface VariantRow {
  id: string;
  product_id: string;
  sku: string;
  title: string;
  product_title: string;
  price: string;
  inventory_quantity: number;
}

/**
 * Stock levels. Every change locks the variant rows in id order (so two orders over the same
 * variants never deadlock), checks every line before writing any, and records inventory.updated.
 */
@Injectable()
export class InventoryService {
  constructor(
    readonly connection: TransactionalConnection,
    private readonly events: EventLog,
  ) {}

  /**
   * Takes the stock of every line, or none: unknown variants answer 404 and short lines 409
   * `insufficient_inventory`, each naming its field. Runs inside the caller's transaction.
   */
  @Transactional()
  async take(
    ctx: RequestContext,
    lines: readonly StockLine[],
  ): Promise<Map<string, LockedVariant>> {
    const variants = await this.lock(
      ctx,
      lines.map((line) => line.variantId),
    );
    const missing = lines.filter((line) => !variants.has(line.variantId));
    if (missing.length > 0) {
      throw new DomainError(
        'not_found',
        'A line names a variant that does not exist in this store.',
        {
          errors: missing.map((line) => ({
            path: `${line.path}.variantId`,
            code: 'not_found',
            message: 'No such variant.',
          })),
        },
      );
    }
    const wanted = new Map<string, number>();
    for (const line of lines)
      wanted.set(line.variantId, (wanted.get(line.variantId) ?? 0) + line.quantity);
    const short: FieldError[] = lines
      .filter(
        (line) => wanted.get(line.variantId)! > variants.get(line.variantId)!.inventoryQuantity,
      )
      .map((line) => ({
        path: `${line.path}.quantity`,
        code: 'insufficient_inventory',
        message: `Only ${variants.get(line.variantId)!.inventoryQuantity} in stock.`,
      }));
    if (short.length > 0)
      throw new DomainError(
        'insufficient_inventory',
        'Not enough stock for this order; nothing was taken.',
        { errors: short },
      );
    await this.move(
      ctx,
      variants,
      [...wanted].map(([variantId, quantity]) => [variantId, -quantity]),
    );
    return variants;
  }

  /** Puts stock back (a cancelled order); variants deleted since are skipped. */
  @Transactional()
  async restore(
    ctx: RequestContext,
    lines: readonly { variantId: string | null; quantity: number }[],
  ): Promise<void> {
    const returned = new Map<string, number>();
    for (const line of lines)
      if (line.variantId)
        returned.set(line.variantId, (returned.get(line.variantId) ?? 0) + line.quantity);
    const variants = await this.lock(ctx, [...returned.keys()]);
    await this.move(
      ctx,
      variants,
      [...returned].filter(([variantId]) => variants.has(variantId)),
    );
  }

  /** An adjustment with a reason; the stock may not go below zero. */
  @Transactional()
  async adjust(
    ctx: RequestContext,
    input: CreateAdjustmentDto,
  ): Promise<InventoryLevelResource & { adjustmentId: string }> {
    const variants = await this.lock(ctx, [input.variantId]);
    const variant = variants.get(input.variantId);
    if (!variant) throw DomainError.notFound('variant', 'variantId');
    if (variant.inventoryQuantity + input.delta < 0) {
      throw new DomainError(
        'insufficient_inventory',
        `Only ${variant.inventoryQuantity} in stock; the adjustment would go below zero.`,
        {
          errors: [
            {
              path: 'delta',
              code: 'insufficient_inventory',
              message: `At least ${-variant.inventoryQuantity} is allowed.`,
            },
          ],
        },
      );
    }
    const [level] = await this.move(ctx, variants, [[variant.id, input.delta]]);
    const adjustmentId = newId('adj');
    await this.connection
      .manager(ctx)
      .query(
        'INSERT INTO inventory_adjustments (id, variant_id, delta, reason, quantity_after, actor_id) VALUES ($1, $2, $3, $4, $5, $6)',
        [
          adjustmentId,
          variant.id,
          input.delta,
          input.reason,
          level.inventoryQuantity,
          ctx.actor.id,
        ],
      );
    return { ...level, adjustmentId };
  }

  /** The stock level of the variant with this SKU, with the variant's version; none when no such SKU. */
  @Transactional({ readOnly: true })
  async levelOfSku(
    ctx: RequestContext,
    sku: string,
  ): Promise<(InventoryLevelResource & { version: number }) | undefined> {
    const [row]: {
      id: string;
      product_id: string;
      sku: string;
      inventory_quantity: number;
      version: number;
    }[] = await this.connection
      .manager(ctx)
      .query(
        'SELECT id, product_id, sku, inventory_quantity, version FROM variants WHERE sku = $1',
        [sku],
      );
    return (
      row && {
        variantId: row.id,
        productId: row.product_id,
        sku: row.sku,
        inventoryQuantity: row.inventory_quantity,
        version: row.version,
      }
    );
  }

  private async lock(
    ctx: RequestContext,
    variantIds: readonly string[],
  ): Promise<Map<string, LockedVariant>> {
    const ids = [...new Set(variantIds.filter((id) => isId(id, 'var')))].sort();
    if (ids.length === 0) return new Map();
    const rows: VariantRow[] = await this.connection.manager(ctx).query(
      `SELECT v.id, v.product_id, v.sku, v.title, p.title AS product_title, v.price, v.inventory_quantity
         FROM variants v JOIN products p ON p.id = v.product_id
        WHERE v.id = ANY($1) ORDER BY v.id FOR UPDATE OF v`,
      [ids],
    );
    return new Map(
      rows.map((row) => [
        row.id,
        {
          id: row.id,
          productId: row.product_id,
          sku: row.sku,
          title: row.title,
          productTitle: row.product_title,
          price: Number(row.price),
          inventoryQuantity: row.inventory_quantity,
        },
      ]),
    );
  }

  private async move(
    ctx: RequestContext,
    variants: Map<string, LockedVariant>,
    deltas: [string, number][],
  ): Promise<InventoryLevelResource[]> {
    const levels: InventoryLevelResource[] = [];
    for (const [variantId, delta] of deltas) {
      const [[row]] = await this.connection
        .manager(ctx)
        .query(
          'UPDATE variants SET inventory_quantity = inventory_quantity + $2, updated_at = now() WHERE id = $1 RETURNING inventory_quantity',
          [variantId, delta],
        );
      const variant = variants.get(variantId)!;
      const level = {
        variantId,
        productId: variant.productId,
        sku: variant.sku,
        inventoryQuantity: row.inventory_quantity,
      };
      this.events.record(ctx, 'inventory.updated', variantId, level);
      levels.push(level);
    }
    return levels;
  }
}
