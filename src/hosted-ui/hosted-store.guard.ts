import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { StoreHostsService } from '../platform/store-hosts.service';
import { hostedState } from './hosted-request';
import { PageNotFound } from './page-errors';

/**
 * Every hosted page belongs to the store its `Host` names (`<handle>.<BASE_DOMAIN>` or one of the
 * store's domains; any host on an instance holding one store). Any other host is the 404 page.
 */
@Injectable()
export class HostedStoreGuard implements CanActivate {
  constructor(private readonly hosts: StoreHostsService) {}

  async canActivate(execution: ExecutionContext): Promise<boolean> {
    const request = execution.switchToHttp().getRequest<FastifyRequest>();
    const store = await this.hosts.resolve(request.headers.host, String(request.id));
    if (!store) throw new PageNotFound('There is no store at this address.');
    hostedState(request).store = store;
    return true;
  }
}
