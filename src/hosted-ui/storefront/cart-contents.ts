import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import type { RequestContext } from '../../common/request-context';
import { CatalogReads } from '../../catalog/catalog-reads';
import type { ProductResource, VariantResource } from '../../catalog/product.serializer';
import type { CartLine } from './cart-cookie';

export interface PricedLine {
  readonly line: CartLine;
  readonly product: ProductResource;
  readonly variant: VariantResource;
  readonly total: number;
}

export interface PricedCart {
  readonly lines: readonly PricedLine[];
  readonly total: number;
}

/**
 * The cart as the buyer sees it: each line with its product and variant as they are now (prices
 * are never kept in the cookie). A line whose product was deleted, unpublished or lost the
 * variant is left out; the order would refuse it anyway.
 */
@Injectable()
export class CartContents {
  constructor(private readonly products: CatalogReads) {}

  async price(ctx: RequestContext, lines: readonly CartLine[]): Promise<PricedCart> {
    const ids = [...new Set(lines.map((line) => line.productId))];
    const products = new Map<string, ProductResource>();
    for (const id of ids) {
      const product = await this.products.product(ctx, id).catch((error: unknown) => {
        if (error instanceof DomainError && error.code === 'not_found') return undefined;
        throw error;
      });
      if (product?.status === 'active') products.set(id, product);
    }
    const priced = lines.flatMap((line) => {
      const product = products.get(line.productId);
      const variant = product?.variants.find((candidate) => candidate.id === line.variantId);
      return product && variant
        ? [{ line, product, variant, total: variant.price * line.quantity }]
        : [];
    });
    return { lines: priced, total: priced.reduce((sum, line) => sum + line.total, 0) };
  }
}

/** How a variant is named to a buyer: the product, and the variant when there are several. */
export function lineTitle(product: ProductResource, variant: VariantResource): string {
  return variant.title ? `${product.title} – ${variant.title}` : product.title;
}
