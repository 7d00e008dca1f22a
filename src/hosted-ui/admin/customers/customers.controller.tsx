import { Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../../common/request-context';
import { CustomersService } from '../../../customers/customers.service';
import type { HostedStore } from '../../../platform/stores.service';
import { CsrfTokens } from '../../../web/csrf-tokens';
import { sendDocument } from '../../../web/page-reply';
import { HostedPages } from '../../hosted-pages.decorator';
import { StaffContext, Store } from '../../hosted-request';
import { CustomersPage } from './customers-page';

const CUSTOMERS_PER_PAGE = 50;

/** The admin's customers: the list REST gives, a page at a time. */
@HostedPages('admin/customers', { admin: true })
export class CustomersPagesController {
  constructor(
    private readonly customers: CustomersService,
    private readonly csrf: CsrfTokens,
  ) {}

  @Get()
  async list(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Query('cursor') cursor: unknown,
  ): Promise<void> {
    const at = typeof cursor === 'string' && cursor ? cursor : undefined;
    const page = await this.customers.list(staff, { limit: CUSTOMERS_PER_PAGE, cursor: at });
    sendDocument(
      reply,
      200,
      <CustomersPage
        store={store}
        staff={staff}
        csrf={this.csrf.issue(request, reply)}
        customers={page.data}
        nextCursor={page.nextCursor}
        atCursor={at !== undefined}
      />,
    );
  }
}
