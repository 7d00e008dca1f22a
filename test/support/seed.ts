import { SCOPES } from '../../src/common/scopes';
import { CreateProductDto } from '../../src/catalog/dto/create-product.dto';
import { ProductResource } from '../../src/catalog/product.serializer';
import { ProductsService } from '../../src/catalog/products.service';
import { RequestContext } from '../../src/common/request-context';
import type { TestApp } from './test-app';

let counter = 0;

/** Creates a product through the service layer, as the hosted UI would. */
export function seedProduct(
  app: TestApp,
  storeId: string,
  overrides: Partial<CreateProductDto> = {},
): Promise<ProductResource> {
  counter += 1;
  return app.running.app
    .get(ProductsService)
    .create(RequestContext.system(storeId, `seed-${counter}`, SCOPES), {
      title: `Product ${counter}`,
      status: 'active',
      variants: [
        { sku: `SKU-${counter}-A`, price: 1000 + counter, inventoryQuantity: 5 },
        { sku: `SKU-${counter}-B`, price: 2000, inventoryQuantity: 1 },
      ],
      ...overrides,
    });
}
