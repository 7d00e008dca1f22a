import { Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../common/request-context';
import type { HostedStore } from '../../platform/stores.service';
import { CsrfTokens } from '../../web/csrf-tokens';
import { sendDocument } from '../../web/page-reply';
import { StaffContext, Store } from '../hosted-request';
import { HostedPages } from '../hosted-pages.decorator';
import { AdminLayout } from './admin-layout';

/** The admin's home: what happened in the store today. */
@HostedPages('admin', { admin: true })
export class DashboardController {
  constructor(private readonly csrf: CsrfTokens) {}

  @Get()
  show(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
  ): void {
    sendDocument(
      reply,
      200,
      <AdminLayout
        store={store}
        staff={staff}
        csrf={this.csrf.issue(request, reply)}
        title="Dashboard"
        section="/admin"
      >
        <h1>Dashboard</h1>
      </AdminLayout>,
    );
  }
}
