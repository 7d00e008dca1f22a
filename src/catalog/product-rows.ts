import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../common/request-context';
import type { TransactionalConnection } from '../database/transactional-connection';
import type { ProductStatus } from './product.entity';
import type { ProductFields, VariantFields } from './product.serializer';

/**
 * The product reads behind every product the API shows (lists, single products, and the
 * representation written to the event log after each change), as fixed parameterised SQL whose
 * rows already have the serializer's shape.
 *
 * Why not `find()`/QueryBuilder here, as everywhere else: on a page of 50 products with 150
 * variants, building the query from metadata and hydrating 200 entities through TypeORM took more
 * CPU than everything else in the request together, and the variants' unused timestamps cost 300
 * date parses per page (`npm run bench`, `node --cpu-prof`; docs/decisions.md has the figures).
 * Writes still go through the entities; the columns named here are checked by the products suite.
 */
const PRODUCT_COLUMNS = `id, title, handle, description, status, tags, version,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

// bigint arrives as a string; prices never exceed 2^53 because input is refused beyond it.
const VARIANT_COLUMNS = `id, product_id AS "productId", sku, title, price,
  inventory_quantity AS "inventoryQuantity", version`;

export interface ProductFilter {
  /** Keyset: only products whose id sorts after this one. */
  readonly afterId?: string;
  readonly status?: ProductStatus;
  readonly updatedSince?: Date;
  readonly limit: number;
}

/** One statement whatever the filters: an absent filter is a null parameter, never SQL text. */
const SELECT_PRODUCTS = `SELECT ${PRODUCT_COLUMNS} FROM products
  WHERE ($1::text IS NULL OR id > $1)
    AND ($2::text IS NULL OR status = $2)
    AND ($3::timestamptz IS NULL OR updated_at >= $3)
  ORDER BY id
  LIMIT $4`;

/**
 * One product with its variants in one statement: a single product's read is then one round trip,
 * not three (PostgreSQL builds the variants' JSON, in position
 * order, with the serializer's names; a bigint price is a JSON number, as input is bounded).
 */
const PRODUCT_WITH_VARIANTS = `SELECT ${PRODUCT_COLUMNS},
  COALESCE((SELECT json_agg(json_build_object(
      'id', v.id, 'sku', v.sku, 'title', v.title, 'price', v.price,
      'inventoryQuantity', v.inventory_quantity, 'version', v.version) ORDER BY v.position)
    FROM variants v WHERE v.product_id = products.id), '[]'::json) AS variants
  FROM products`;
const SELECT_PRODUCT_WITH_VARIANTS = `${PRODUCT_WITH_VARIANTS} WHERE id = $1`;
const SELECT_PRODUCT_WITH_VARIANTS_BY_HANDLE = `${PRODUCT_WITH_VARIANTS} WHERE handle = $1`;

const SELECT_VARIANTS = `SELECT ${VARIANT_COLUMNS} FROM variants
  WHERE product_id = ANY($1::text[])
  ORDER BY product_id, position`;

interface VariantRow extends Omit<VariantFields, 'price'> {
  readonly productId: string;
  price: string | number;
}

export function selectProducts(
  manager: EntityManager,
  filter: ProductFilter,
): Promise<ProductFields[]> {
  return manager.query(SELECT_PRODUCTS, [
    filter.afterId ?? null,
    filter.status ?? null,
    filter.updatedSince ?? null,
    filter.limit,
  ]);
}

export interface ProductWithVariants extends ProductFields {
  readonly variants: VariantFields[];
}

/**
 * A product and its variants by id, in one round trip when no transaction is open (a cache miss:
 * see TransactionalConnection.readOnce), or in the transaction open for `ctx`.
 */
export async function readProductWithVariants(
  connection: TransactionalConnection,
  ctx: RequestContext,
  productId: string,
): Promise<ProductWithVariants | undefined> {
  const rows = await connection.readOnce<ProductWithVariants>(ctx, SELECT_PRODUCT_WITH_VARIANTS, [
    productId,
  ]);
  return rows[0];
}

/** The product a storefront address names (`/products/<handle>`), with its variants. */
export async function selectProductByHandle(
  manager: EntityManager,
  handle: string,
): Promise<ProductWithVariants | undefined> {
  const rows: ProductWithVariants[] = await manager.query(SELECT_PRODUCT_WITH_VARIANTS_BY_HANDLE, [
    handle,
  ]);
  return rows[0];
}

/** The variants of these products, grouped by product and in position order. */
export async function selectVariants(
  manager: EntityManager,
  productIds: readonly string[],
): Promise<Map<string, VariantFields[]>> {
  const byProduct = new Map<string, VariantFields[]>();
  if (productIds.length === 0) return byProduct;
  const rows: VariantRow[] = await manager.query(SELECT_VARIANTS, [productIds]);
  for (const row of rows) {
    row.price = Number(row.price);
    const variants = byProduct.get(row.productId);
    if (variants) variants.push(row as VariantFields);
    else byProduct.set(row.productId, [row as VariantFields]);
  }
  return byProduct;
}

export interface TitleSearch {
  /** Part of the title, any case; `%` and `_` are taken literally. */
  readonly text: string;
  readonly afterId?: string;
  readonly limit: number;
}

const SELECT_PRODUCTS_BY_TITLE = `SELECT ${PRODUCT_COLUMNS} FROM products
  WHERE ($1::text IS NULL OR id > $1)
    AND title ILIKE '%' || $2 || '%' ESCAPE '\\'
  ORDER BY id
  LIMIT $3`;

/** The products whose title contains the text, in id order (the admin's search box). */
export function selectProductsByTitle(
  manager: EntityManager,
  search: TitleSearch,
): Promise<ProductFields[]> {
  return manager.query(SELECT_PRODUCTS_BY_TITLE, [
    search.afterId ?? null,
    search.text.replace(/[\\%_]/g, (character) => `\\${character}`),
    search.limit,
  ]);
}
