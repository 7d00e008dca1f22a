import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../../common/request-context';
import { validateInput } from '../../../common/validation/validate-input';
import { ApiKeysService } from '../../../platform/api-keys.service';
import { CreateApiKeyDto } from '../../../platform/dto/create-api-key.dto';
import type { HostedStore } from '../../../platform/stores.service';
import { CsrfTokens } from '../../../web/csrf-tokens';
import { seeOther, sendDocument } from '../../../web/page-reply';
import { HostedPages } from '../../hosted-pages.decorator';
import { StaffContext, Store } from '../../hosted-request';
import { OwnerOnly } from '../admin-session.guard';
import { ApiKeysPage, type ApiKeysPageProps } from './api-keys-page';
import { cursorOf } from './developer-layout';
import { fieldErrorsOf, listOf, textOf } from './form-input';

/** A store has a few keys; the page lists this many, enough for any real store. */
const LISTED_KEYS = 100;

/** The store's API keys, through the service the platform API's key endpoints call. */
@HostedPages('admin/developers/api-keys', { admin: true })
@OwnerOnly()
export class ApiKeysPagesController {
  constructor(
    private readonly csrf: CsrfTokens,
    private readonly apiKeys: ApiKeysService,
  ) {}

  @Get()
  async list(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Query('cursor') cursor: unknown,
  ): Promise<void> {
    await this.render(request, reply, store, staff, 200, {}, cursorOf(cursor));
  }

  /** The new key is in this answer only: rendered here, never put in a URL or a cookie. */
  @Post()
  async create(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Body() form: Record<string, unknown>,
  ): Promise<void> {
    const input = { name: textOf(form?.name), scopes: listOf(form?.scopes) };
    const values = { name: String(input.name), scopes: input.scopes.map(String) };
    try {
      const { apiKey, key } = await this.apiKeys.create(
        staff,
        store.id,
        validateInput(CreateApiKeyDto, input),
      );
      await this.render(request, reply, store, staff, 201, {
        created: { name: apiKey.name, key },
      });
    } catch (error) {
      const errors = fieldErrorsOf(error);
      if (!errors) throw error;
      await this.render(request, reply, store, staff, 400, { errors, values });
    }
  }

  @Post(':keyId/revoke')
  async revoke(
    @Res() reply: FastifyReply,
    @Store() store: HostedStore,
    @StaffContext() staff: RequestContext,
    @Param('keyId') keyId: string,
  ): Promise<void> {
    await this.apiKeys.revoke(staff, store.id, keyId);
    seeOther(reply, '/admin/developers/api-keys');
  }

  private async render(
    request: FastifyRequest,
    reply: FastifyReply,
    store: HostedStore,
    staff: RequestContext,
    status: number,
    extra: Pick<ApiKeysPageProps, 'created' | 'errors' | 'values'>,
    cursor?: string,
  ): Promise<void> {
    const keys = await this.apiKeys.list(staff, store.id, { limit: LISTED_KEYS, cursor });
    sendDocument(
      reply,
      status,
      <ApiKeysPage
        store={store}
        staff={staff}
        csrf={this.csrf.issue(request, reply)}
        keys={keys.data}
        nextCursor={keys.nextCursor}
        atCursor={cursor !== undefined}
        {...extra}
      />,
    );
  }
}
