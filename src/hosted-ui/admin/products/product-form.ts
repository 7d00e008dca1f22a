import { CreateProductDto } from '../../../catalog/dto/create-product.dto';
import { UpdateProductDto } from '../../../catalog/dto/update-product.dto';
import type { ProductResource } from '../../../catalog/product.serializer';
import { DomainError, type FieldError } from '../../../common/errors/domain-error';
import { validateInput } from '../../../common/validation/validate-input';
import type { FieldErrors } from '../../../web/components/forms';
import { moneyInputValue, parseMoney } from '../../../web/money';

/** The form rows as typed: strings only, so a refused form is shown again exactly as posted. */
export interface VariantValues {
  id: string;
  sku: string;
  price: string;
  stock: string;
}

export interface ProductValues {
  title: string;
  description: string;
  status: string;
  variants: VariantValues[];
}

/** The most variant rows a form shows or reads; the service allows 100, a form needs fewer. */
export const MAX_VARIANT_ROWS = 50;

const BLANK_VARIANT: VariantValues = { id: '', sku: '', price: '', stock: '' };

export function blankProduct(rows: number): ProductValues {
  return {
    title: '',
    description: '',
    status: 'draft',
    variants: Array.from({ length: rows }, () => ({ ...BLANK_VARIANT })),
  };
}

/** A product as its edit form shows it: prices as the merchant writes them. */
export function valuesOf(product: ProductResource, currency: string): ProductValues {
  return {
    title: product.title,
    description: product.description,
    status: product.status,
    variants: product.variants.map((variant) => ({
      id: variant.id,
      sku: variant.sku,
      price: moneyInputValue(variant.price, currency),
      stock: String(variant.inventoryQuantity),
    })),
  };
}

function text(form: Record<string, unknown>, name: string): string {
  const value = form[name];
  return typeof value === 'string' ? value : '';
}

/** The posted form as values; rows are `variants.<n>.<field>`, read up to the last row sent. */
export function valuesFromForm(form: Record<string, unknown> | undefined): ProductValues {
  const body = form ?? {};
  const variants: VariantValues[] = [];
  for (let row = 0; row < MAX_VARIANT_ROWS; row++) {
    const names = ['id', 'sku', 'price', 'stock'].map((field) => `variants.${row}.${field}`);
    if (!names.some((name) => name in body)) break;
    variants.push({
      id: text(body, names[0]),
      sku: text(body, names[1]),
      price: text(body, names[2]),
      stock: text(body, names[3]),
    });
  }
  return {
    title: text(body, 'title'),
    description: text(body, 'description'),
    status: text(body, 'status'),
    variants,
  };
}

const isBlank = (row: VariantValues) =>
  !row.id && !row.sku.trim() && !row.price.trim() && !row.stock.trim();

/** Service paths (`variants.<input index>.price`) as form fields (`variants.<row>.price`). */
export class FormMapping {
  private readonly errors: Record<string, string> = {};

  constructor(private readonly rowOfVariant: readonly number[]) {}

  add(errors: readonly FieldError[]): void {
    for (const { path, message } of errors) {
      const [head, index, field] = path.split('.');
      let name = head || 'form';
      if (head === 'variants') {
        // `variants` itself (none given) is shown beside the first row.
        const row = this.rowOfVariant[Number(index ?? 0)] ?? Number(index ?? 0);
        name = `variants.${row}.${field === 'inventoryQuantity' ? 'stock' : (field ?? 'sku')}`;
      }
      this.errors[name] = this.errors[name] ? `${this.errors[name]} ${message}` : message;
    }
  }

  get fieldErrors(): FieldErrors | undefined {
    return Object.keys(this.errors).length > 0 ? this.errors : undefined;
  }

  /** The field errors of a refused service call (400/409 with paths), or undefined. */
  fromError(error: unknown): FieldErrors | undefined {
    if (!(error instanceof DomainError) || error.status >= 500 || !error.details.errors?.length)
      return undefined;
    if (
      error.code === 'not_found' &&
      !error.details.errors.some((e) => e.path.startsWith('variants'))
    )
      return undefined;
    this.add(error.details.errors);
    return this.fieldErrors;
  }
}

/** The product input the form describes, checked like a REST body, or the fields' errors. */
export function productInput(
  values: ProductValues,
  currency: string,
  mode: 'create',
): { input: CreateProductDto; mapping: FormMapping } | { errors: FieldErrors };
export function productInput(
  values: ProductValues,
  currency: string,
  mode: 'update',
): { input: UpdateProductDto; mapping: FormMapping } | { errors: FieldErrors };
export function productInput(
  values: ProductValues,
  currency: string,
  mode: 'create' | 'update',
): { input: CreateProductDto | UpdateProductDto; mapping: FormMapping } | { errors: FieldErrors } {
  const rows: number[] = [];
  const own: FieldError[] = [];
  const variants = values.variants.flatMap((row, index) => {
    if (isBlank(row)) return [];
    const position = rows.push(index) - 1;
    const price = row.price.trim() === '' ? undefined : parseMoney(row.price, currency);
    if (row.price.trim() !== '' && price === undefined)
      own.push({
        path: `variants.${position}.price`,
        code: 'invalid_price',
        message: `Write the price as an amount in ${currency}, like ${moneyInputValue(1250, currency)}.`,
      });
    const stock = row.stock.trim();
    const variant: Record<string, unknown> = {
      sku: row.sku.trim(),
      // An unreadable price is reported above; 0 lets the other fields be checked meanwhile.
      price: price ?? (row.price.trim() === '' ? undefined : 0),
      inventoryQuantity: stock === '' ? undefined : /^-?\d+$/.test(stock) ? Number(stock) : stock,
    };
    if (mode === 'update' && row.id) variant.id = row.id;
    for (const key of Object.keys(variant)) if (variant[key] === undefined) delete variant[key];
    return [variant];
  });
  const body = {
    title: values.title.trim(),
    description: values.description,
    status: values.status,
    variants,
  };
  const mapping = new FormMapping(rows);
  mapping.add(own);
  let input: CreateProductDto | UpdateProductDto | undefined;
  try {
    input =
      mode === 'create'
        ? validateInput(CreateProductDto, body)
        : validateInput(UpdateProductDto, body);
  } catch (error) {
    if (!(error instanceof DomainError) || !error.details.errors) throw error;
    mapping.add(error.details.errors);
  }
  const errors = mapping.fieldErrors;
  if (errors || !input) return { errors: errors ?? { form: 'The form could not be read.' } };
  return { input, mapping };
}
