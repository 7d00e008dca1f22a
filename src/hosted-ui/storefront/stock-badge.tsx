import type { VariantResource } from '../../catalog/product.serializer';

/** The id of a variant's stock element, which live updates replace. */
export function stockElementId(variantId: string): string {
  return `stock-${variantId}`;
}

/** "In stock" or "Sold out"; the quantity rides along for the live page and its tests. */
export function StockBadge(props: { variant: Pick<VariantResource, 'id' | 'inventoryQuantity'> }) {
  const inStock = props.variant.inventoryQuantity > 0;
  return (
    <span
      id={stockElementId(props.variant.id)}
      class={`badge ${inStock ? 'ok' : 'bad'}`}
      data-quantity={props.variant.inventoryQuantity}
    >
      {inStock ? 'In stock' : 'Sold out'}
    </span>
  );
}
