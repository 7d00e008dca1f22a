import type { RequestContext } from '../../../common/request-context';
import type { HostedStore } from '../../../platform/stores.service';
import {
  ActionForm,
  CsrfField,
  Field,
  type FieldErrors,
  FormErrors,
  Select,
  TextArea,
} from '../../../web/components/forms';
import { AdminLayout } from '../admin-layout';
import type { ProductValues } from './product-form';

const STATUSES = [
  { value: 'active', label: 'Active' },
  { value: 'draft', label: 'Draft' },
  { value: 'archived', label: 'Archived' },
] as const;

export interface ProductFormPageProps {
  store: HostedStore;
  staff: RequestContext;
  csrf: string;
  /** Absent for a new product. */
  productId?: string;
  /** The version the form was filled from, checked on save like If-Match. */
  version?: number;
  values: ProductValues;
  errors?: FieldErrors;
  /** A message above the form (a conflict), instead of the generic one. */
  message?: string;
}

/** The product form: new (`/admin/products/new`) or edit (`/admin/products/{id}`). */
export function ProductFormPage(props: ProductFormPageProps) {
  const { values, errors = {} } = props;
  const editing = props.productId !== undefined;
  const action = editing ? `/admin/products/${props.productId}` : '/admin/products/new';
  const title = editing ? `Edit ${values.title || 'product'}` : 'New product';
  return (
    <AdminLayout
      store={props.store}
      staff={props.staff}
      csrf={props.csrf}
      title={title}
      section="/admin/products"
    >
      <p>
        <a href="/admin/products">Products</a>
      </p>
      <h1>{title}</h1>
      <FormErrors
        errors={props.errors}
        message={props.message ?? (props.errors ? undefined : undefined)}
      />
      <form method="post" action={action}>
        <CsrfField token={props.csrf} />
        {props.version !== undefined && (
          <input type="hidden" name="version" value={String(props.version)} />
        )}
        <Field label="Title" name="title" value={values.title} error={errors['title']} />
        <TextArea
          label="Description"
          name="description"
          value={values.description}
          error={errors['description']}
        />
        <Select
          label="Status"
          name="status"
          value={values.status}
          options={STATUSES}
          error={errors['status']}
        />
        {values.variants.map((variant, row) => (
          <fieldset>
            <legend>Variant {row + 1}</legend>
            {variant.id && <input type="hidden" name={`variants.${row}.id`} value={variant.id} />}
            <div class="grid">
              <Field
                label="SKU"
                name={`variants.${row}.sku`}
                value={variant.sku}
                error={errors[`variants.${row}.sku`]}
              />
              <Field
                label="Price"
                name={`variants.${row}.price`}
                value={variant.price}
                inputmode="decimal"
                hint={props.store.currency}
                error={errors[`variants.${row}.price`]}
              />
              <Field
                label="Stock"
                name={`variants.${row}.stock`}
                value={variant.stock}
                inputmode="numeric"
                error={errors[`variants.${row}.stock`]}
              />
            </div>
          </fieldset>
        ))}
        <div class="actions">
          <button type="submit">Save</button>
          <button type="submit" name="_add_variant" value="1" class="secondary">
            Add a variant
          </button>
        </div>
      </form>
      {editing && (
        <ActionForm
          action={`/admin/products/${props.productId}/delete`}
          csrf={props.csrf}
          label="Delete"
          variant="contrast"
        />
      )}
    </AdminLayout>
  );
}
