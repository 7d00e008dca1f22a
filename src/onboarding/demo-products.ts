import type { CreateProductDto } from '../catalog/dto/create-product.dto';

export const DEMO_PRODUCTS: CreateProductDto[] = [
  {
    title: 'Classic T-Shirt',
    handle: 'classic-t-shirt',
    description: 'Organic cotton, in three sizes.',
    status: 'active',
    tags: ['apparel', 'cotton'],
    variants: [
      { sku: 'TSHIRT-S', title: 'Small', price: 1900, inventoryQuantity: 25 },
      { sku: 'TSHIRT-M', title: 'Medium', price: 1900, inventoryQuantity: 40 },
      { sku: 'TSHIRT-L', title: 'Large', price: 2100, inventoryQuantity: 15 },
    ],
  },
  {
    title: 'Ceramic Mug',
    handle: 'ceramic-mug',
    description: 'Stoneware mug, 350 ml.',
    status: 'active',
    tags: ['kitchen'],
    variants: [{ sku: 'MUG-350', title: 'Default', price: 1250, inventoryQuantity: 60 }],
  },
  {
    title: 'Canvas Tote Bag',
    handle: 'canvas-tote-bag',
    description: 'Heavy canvas, natural colour.',
    status: 'draft',
    tags: ['accessories'],
    variants: [{ sku: 'TOTE-NAT', title: 'Natural', price: 2400, inventoryQuantity: 0 }],
  },
];
