import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../../common/request-context';
import { validateInput } from '../../../common/validation/validate-input';
import { InstallationsService } from '../../../oauth/installations.service';
import type { HostedStore } from '../../../platform/stores.service';
import { ResolveConflictDto } from '../../../sync/dto/sync-policies.dto';
import { SyncConflictsService } from '../../../sync/sync-conflicts.service';
import { CsrfTokens } from '../../../web/csrf-tokens';
import { seeOther, sendDocument } from '../../../web/page-reply';
import { HostedPages } from '../../hosted-pages.decorator';
import { StaffContext, Store } from '../../hosted-request';
import { PageNotFound } from '../../page-errors';
import { OwnerOnly } from '../admin-session.guard';
import { cursorOf } from './developer-layout';
import { InstalledAppsPage } from './installed-apps-page';
import { SyncConflictsPage } from './sync-conflicts-page';

const LISTED = 100;

/** Installed OAuth apps, and a self-hosted store's sync conflicts, through their services. */
@HostedPages('admin/developers', { admin: true })
@OwnerOnly()
export class AppsAndSyncPagesController {
  constructor(
    private readonly csrf: CsrfTokens,
    private readonly installations: InstallationsService,
    private readonly conflicts: SyncConflictsService,
  ) {}

  @Get('apps')
  async apps(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Query('cursor') query: unknown,
  ): Promise<void> {
    const cursor = cursorOf(query);
    const installations = await this.installations.list(staff, store.id, {
      limit: LISTED,
      cursor,
    });
    sendDocument(
      reply,
      200,
      <InstalledAppsPage
        store={store}
        staff={staff}
        csrf={this.csrf.issue(request, reply)}
        installations={installations.data}
        nextCursor={installations.nextCursor}
        atCursor={cursor !== undefined}
      />,
    );
  }

  /** The app's tokens for this store stop working with this commit. */
  @Post('apps/:id/uninstall')
  async uninstall(
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Param('id') id: string,
  ): Promise<void> {
    await this.installations.uninstall(staff, store.id, id);
    seeOther(reply, '/admin/developers/apps');
  }

  @Get('sync-conflicts')
  async syncConflicts(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Query('cursor') query: unknown,
  ): Promise<void> {
    assertSelfHosted(store);
    const cursor = cursorOf(query);
    const conflicts = await this.conflicts.list(staff, { limit: LISTED, cursor, status: 'all' });
    sendDocument(
      reply,
      200,
      <SyncConflictsPage
        store={store}
        staff={staff}
        csrf={this.csrf.issue(request, reply)}
        conflicts={conflicts.data}
        nextCursor={conflicts.nextCursor}
        atCursor={cursor !== undefined}
      />,
    );
  }

  @Post('sync-conflicts/:id/resolve')
  async resolve(
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Param('id') id: string,
    @Body() form: Record<string, unknown>,
  ): Promise<void> {
    assertSelfHosted(store);
    const { keep } = validateInput(ResolveConflictDto, { keep: form?.keep });
    await this.conflicts.resolve(staff, id, keep);
    seeOther(reply, '/admin/developers/sync-conflicts');
  }
}

/** Only a self-hosted store syncs; the platform-hosted ones have no such page. */
function assertSelfHosted(store: HostedStore): void {
  if (store.hosting !== 'self_hosted') throw new PageNotFound();
}
