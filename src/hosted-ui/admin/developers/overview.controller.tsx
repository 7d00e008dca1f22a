import { Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../../common/request-context';
import type { HostedStore } from '../../../platform/stores.service';
import { CsrfTokens } from '../../../web/csrf-tokens';
import { sendDocument } from '../../../web/page-reply';
import { HostedPages } from '../../hosted-pages.decorator';
import { StaffContext, Store } from '../../hosted-request';
import { OwnerOnly } from '../admin-session.guard';
import { AdminLayout } from '../admin-layout';
import { developerSections } from './developer-layout';

const DESCRIPTIONS: Record<string, string> = {
  '/admin/developers/api-keys': 'Keys for your own scripts and integrations, each with its scopes.',
  '/admin/developers/webhooks': 'Your endpoints told of the store’s events, and every delivery.',
  '/admin/developers/apps': 'The apps you approved, and what they may do.',
  '/admin/developers/sync-conflicts': 'Changes made on both sides of the sync, to settle.',
};

/** The developer settings' home: a link to each of its pages. */
@HostedPages('admin/developers', { admin: true })
@OwnerOnly()
export class DevelopersOverviewController {
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
        title="Developers"
        section="/admin/developers"
      >
        <h1>Developers</h1>
        {developerSections(store).map((section) => (
          <section>
            <h2>
              <a href={section.path}>{section.label}</a>
            </h2>
            <p class="muted">{DESCRIPTIONS[section.path]}</p>
          </section>
        ))}
      </AdminLayout>,
    );
  }
}
