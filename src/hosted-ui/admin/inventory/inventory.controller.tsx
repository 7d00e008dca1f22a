import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProductsService } from '../../../catalog/products.service';
import { DomainError } from '../../../common/errors/domain-error';
import type { RequestContext } from '../../../common/request-context';
import { validateInput } from '../../../common/validation/validate-input';
import { CreateAdjustmentDto } from '../../../inventory/dto/create-adjustment.dto';
import { InventoryService } from '../../../inventory/inventory.service';
import type { HostedStore } from '../../../platform/stores.service';
import { CsrfTokens } from '../../../web/csrf-tokens';
import { seeOther, sendDocument } from '../../../web/page-reply';
import { HostedPages } from '../../hosted-pages.decorator';
import { StaffContext, Store } from '../../hosted-request';
import { InventoryPage, type InventoryPageProps } from './inventory-page';

/** Products per page; each brings its variants' rows. */
const PAGE_SIZE = 50;

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Stock levels, read from the catalogue and changed through the inventory service. */
@HostedPages('admin/inventory', { admin: true })
export class InventoryPagesController {
  constructor(
    private readonly csrf: CsrfTokens,
    private readonly products: ProductsService,
    private readonly inventory: InventoryService,
  ) {}

  @Get()
  async list(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Query('cursor') cursor: unknown,
  ): Promise<void> {
    await this.render(request, reply, store, staff, 200, textOf(cursor) || undefined);
  }

  @Post('adjustments')
  async adjust(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Body() form: Record<string, unknown>,
  ): Promise<void> {
    const delta = textOf(form?.delta).trim();
    const reason = textOf(form?.reason).trim();
    const variantId = textOf(form?.variantId);
    const cursor = textOf(form?.cursor) || undefined;
    try {
      const input = validateInput(CreateAdjustmentDto, {
        variantId,
        // A number when it reads as one; otherwise as typed, so validation names the field.
        delta: /^[+-]?\d+$/.test(delta) ? Number(delta) : delta,
        reason,
      });
      await this.inventory.adjust(staff, input);
      seeOther(
        reply,
        cursor ? `/admin/inventory?${new URLSearchParams({ cursor })}` : '/admin/inventory',
      );
    } catch (error) {
      if (
        !(error instanceof DomainError) ||
        error.status >= 500 ||
        !error.details.errors?.length ||
        error.details.errors.some((e) => e.path === 'variantId')
      )
        throw error;
      const errors: Record<string, string> = {};
      for (const { path, message } of error.details.errors)
        errors[path] = errors[path] ? `${errors[path]} ${message}` : message;
      await this.render(request, reply, store, staff, error.status, cursor, {
        variantId,
        errors,
        delta,
        reason,
      });
    }
  }

  private async render(
    request: FastifyRequest,
    reply: FastifyReply,
    store: HostedStore,
    staff: RequestContext,
    status: number,
    cursor?: string,
    refused?: InventoryPageProps['refused'],
  ): Promise<void> {
    const page = await this.products.list(staff, { limit: PAGE_SIZE, cursor });
    sendDocument(
      reply,
      status,
      <InventoryPage
        store={store}
        staff={staff}
        csrf={this.csrf.issue(request, reply)}
        products={page.data}
        nextCursor={page.nextCursor}
        cursor={cursor}
        refused={refused}
      />,
    );
  }
}
