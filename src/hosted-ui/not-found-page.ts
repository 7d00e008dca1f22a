import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UnroutedPage } from '../common/errors/unrouted-page';
import { StoreHostsService } from '../platform/store-hosts.service';
import { sendDocument } from '../web/page-reply';
import { ErrorPage } from './error-page';
import { answersOnEveryHost } from './hosted-paths';

/**
 * The 404 page for any address outside the API's paths that no page matched: under the store's
 * name with a link to its home when the host names a store, the platform's otherwise (the
 * unknown-host 404 of CONTRACT.md, for every path).
 */
@Injectable()
export class HostedNotFoundPage implements UnroutedPage {
  constructor(private readonly hosts: StoreHostsService) {}

  claims(request: FastifyRequest): boolean {
    return !answersOnEveryHost(request.url);
  }

  async send(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const store = await this.hosts.resolve(request.headers.host, String(request.id));
    sendDocument(
      reply,
      404,
      ErrorPage({
        site: store?.name ?? 'Dukkadee',
        title: 'Page not found',
        message: store ? 'There is no page at this address.' : 'There is no store at this address.',
        home: store ? '/' : undefined,
      }),
    );
  }
}
