import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProductsService } from '../../../catalog/products.service';
import { DomainError } from '../../../common/errors/domain-error';
import type { RequestContext } from '../../../common/request-context';
import type { HostedStore } from '../../../platform/stores.service';
import { CsrfTokens } from '../../../web/csrf-tokens';
import { seeOther, sendDocument } from '../../../web/page-reply';
import { HostedPages } from '../../hosted-pages.decorator';
import { StaffContext, Store } from '../../hosted-request';
import {
  blankProduct,
  MAX_VARIANT_ROWS,
  productInput,
  type ProductValues,
  valuesFromForm,
  valuesOf,
} from './product-form';
import { ProductFormPage, type ProductFormPageProps } from './product-form-page';
import { ProductsListPage } from './products-list-page';

const PAGE_SIZE = 50;

const CONFLICT_MESSAGE =
  'Someone changed this product while you were editing it, so your changes were not saved. ' +
  'The form now shows the current product: make your changes again and save.';

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** One more blank row when "Add a variant" was pressed: how the form grows without JavaScript. */
function withRowAdded(values: ProductValues): ProductValues {
  if (values.variants.length >= MAX_VARIANT_ROWS) return values;
  return { ...values, variants: [...values.variants, ...blankProduct(1).variants] };
}

/** The catalogue, through the service methods the REST product endpoints call. */
@HostedPages('admin/products', { admin: true })
export class ProductsPagesController {
  constructor(
    private readonly csrf: CsrfTokens,
    private readonly products: ProductsService,
  ) {}

  @Get()
  async list(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Query('q') q: unknown,
    @Query('cursor') cursor: unknown,
  ): Promise<void> {
    const text = textOf(q)?.trim() ?? '';
    const at = textOf(cursor);
    const page = text
      ? await this.products.searchByTitle(staff, { text, cursor: at, limit: PAGE_SIZE })
      : await this.products.list(staff, { limit: PAGE_SIZE, cursor: at });
    sendDocument(
      reply,
      200,
      <ProductsListPage
        store={store}
        staff={staff}
        csrf={this.csrf.issue(request, reply)}
        products={page.data}
        query={text}
        nextCursor={page.nextCursor}
        atCursor={at !== undefined}
      />,
    );
  }

  @Get('new')
  newForm(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
  ): void {
    this.form(request, reply, 200, { store, staff, values: blankProduct(1) });
  }

  @Post('new')
  async create(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Body() form: Record<string, unknown>,
  ): Promise<void> {
    const values = valuesFromForm(form);
    if (form?._add_variant !== undefined)
      return this.form(request, reply, 200, { store, staff, values: withRowAdded(values) });
    const parsed = productInput(values, store.currency, 'create');
    if ('errors' in parsed)
      return this.form(request, reply, 400, { store, staff, values, errors: parsed.errors });
    try {
      const product = await this.products.create(staff, parsed.input);
      seeOther(reply, `/admin/products/${product.id}`);
    } catch (error) {
      const errors = parsed.mapping.fromError(error);
      if (!errors) throw error;
      this.form(request, reply, (error as DomainError).status, { store, staff, values, errors });
    }
  }

  @Get(':id')
  async edit(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Param('id') id: string,
  ): Promise<void> {
    const product = await this.products.get(staff, id);
    this.form(request, reply, 200, {
      store,
      staff,
      productId: product.id,
      version: product.version,
      values: valuesOf(product, store.currency),
    });
  }

  /** Saves against the version the form was filled from, as PATCH does with If-Match. */
  @Post(':id')
  async update(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Param('id') id: string,
    @Body() form: Record<string, unknown>,
  ): Promise<void> {
    const current = await this.products.get(staff, id);
    const values = valuesFromForm(form);
    const version = /^\d+$/.test(String(form?.version ?? '')) ? Number(form.version) : undefined;
    const page = { store, staff, productId: current.id, version: version ?? current.version };
    if (form?._add_variant !== undefined)
      return this.form(request, reply, 200, { ...page, values: withRowAdded(values) });
    const parsed = productInput(values, store.currency, 'update');
    if ('errors' in parsed)
      return this.form(request, reply, 400, { ...page, values, errors: parsed.errors });
    try {
      // No version in the form is a stale form too: never save over a change unseen.
      await this.products.update(staff, current.id, parsed.input, version ?? 0);
      seeOther(reply, `/admin/products/${current.id}`);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'version_conflict') {
        const latest = await this.products.get(staff, current.id);
        return this.form(request, reply, 409, {
          store,
          staff,
          productId: latest.id,
          version: latest.version,
          values: valuesOf(latest, store.currency),
          message: CONFLICT_MESSAGE,
        });
      }
      const errors = parsed.mapping.fromError(error);
      if (!errors) throw error;
      this.form(request, reply, (error as DomainError).status, { ...page, values, errors });
    }
  }

  @Post(':id/delete')
  async remove(
    @Res() reply: FastifyReply,
    @StaffContext() staff: RequestContext,
    @Param('id') id: string,
  ): Promise<void> {
    await this.products.remove(staff, id);
    seeOther(reply, '/admin/products');
  }

  private form(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    props: Omit<ProductFormPageProps, 'csrf'>,
  ): void {
    sendDocument(
      reply,
      status,
      <ProductFormPage {...props} csrf={this.csrf.issue(request, reply)} />,
    );
  }
}
