import { Injectable } from '@nestjs/common';
import { RequestContext } from '../common/request-context';
import { TransactionalConnection } from '../database/transactional-connection';
import type { SyncResource } from './sync-resources';

/**
 * Which resource of this store an external id names: the self-hosted store's own ids on the
 * platform, and the platform's order ids on a self-hosted store. Links are kept after a delete
 * (the change feed still names the deleted resource by its external id). In the caller's
 * transaction.
 */
@Injectable()
export class SyncLinks {
  constructor(private readonly connection: TransactionalConnection) {}

  async find(
    ctx: RequestContext,
    resource: SyncResource,
    externalId: string,
  ): Promise<string | undefined> {
    const rows: { resource_id: string }[] = await this.connection.manager(ctx).query(
      `SELECT resource_id FROM sync_links WHERE resource = $1 AND external_id = $2
          ORDER BY created_at DESC, resource_id DESC LIMIT 1`,
      [resource, externalId],
    );
    return rows[0]?.resource_id;
  }

  async set(
    ctx: RequestContext,
    resource: SyncResource,
    externalId: string,
    resourceId: string,
  ): Promise<void> {
    await this.connection.manager(ctx).query(
      `INSERT INTO sync_links (resource, external_id, resource_id) VALUES ($1, $2, $3)
       ON CONFLICT (resource_id) DO NOTHING`,
      [resource, externalId, resourceId],
    );
  }
}
