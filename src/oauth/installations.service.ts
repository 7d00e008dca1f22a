import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { isId, newId } from '../common/ids';
import { decodeCursor, Page } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { CredentialFreshness } from '../database/credential-freshness';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import { StoresService } from '../platform/stores.service';

export interface Installation {
  readonly id: string;
  readonly appId: string;
  readonly appName: string;
  readonly storeId: string;
  readonly scopes: readonly string[];
  readonly installedBy: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

interface InstallationRow {
  id: string;
  app_id: string;
  app_name: string;
  store_id: string;
  scopes: string[];
  installed_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/** An app installed on a store: what a merchant's consent creates and uninstalling ends. */
@Injectable()
export class InstallationsService {
  constructor(
    readonly connection: TransactionalConnection,
    private readonly stores: StoresService,
    private readonly freshness: CredentialFreshness,
  ) {}

  /**
   * Records a merchant's approval. Approving again (for more scopes) widens the installation;
   * each token still carries only the scopes of its own authorization.
   */
  @Transactional()
  async install(
    ctx: RequestContext,
    appId: string,
    storeId: string,
    staffId: string,
    scopes: readonly string[],
  ): Promise<string> {
    const rows: { id: string }[] = await this.connection.manager(ctx).query(
      `INSERT INTO platform.installations (id, app_id, store_id, scopes, installed_by)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (app_id, store_id) WHERE uninstalled_at IS NULL DO UPDATE
         SET scopes = ARRAY(SELECT DISTINCT unnest(installations.scopes || excluded.scopes)
                             ORDER BY 1),
             updated_at = now()
       RETURNING id`,
      [newId('inst'), appId, storeId, scopes, staffId],
    );
    return rows[0].id;
  }

  @Transactional({ readOnly: true })
  async list(
    ctx: RequestContext,
    storeId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<Installation>> {
    await this.stores.get(ctx, storeId);
    const after = decodeCursor(query.cursor, ['string'] as const);
    const rows: InstallationRow[] = await this.connection.manager(ctx).query(
      `SELECT i.id, i.app_id, a.name AS app_name, i.store_id, i.scopes, i.installed_by,
              i.created_at, i.updated_at
         FROM platform.installations i JOIN platform.apps a ON a.id = i.app_id
        WHERE i.store_id = $1 AND i.uninstalled_at IS NULL AND ($2::text IS NULL OR i.id > $2)
        ORDER BY i.id LIMIT $3`,
      [storeId, after?.[0] ?? null, query.limit + 1],
    );
    return Page.fromRows(rows.map(toInstallation), query.limit, (row) => [row.id]);
  }

  /** The app's tokens for this store stop working with this commit. */
  @Transactional()
  async uninstall(ctx: RequestContext, storeId: string, installationId: string): Promise<void> {
    const manager = this.connection.manager(ctx);
    const [, count] = isId(installationId, 'inst')
      ? await manager.query(
          `UPDATE platform.installations SET uninstalled_at = now()
            WHERE id = $1 AND store_id = $2 AND uninstalled_at IS NULL`,
          [installationId, storeId],
        )
      : [[], 0];
    if (count !== 1) throw DomainError.notFound('installation');
    await manager.query(
      `UPDATE platform.oauth_tokens SET revoked_at = now()
        WHERE installation_id = $1 AND revoked_at IS NULL`,
      [installationId],
    );
    this.connection.afterCommit(ctx, () => this.freshness.checkNow());
  }
}

function toInstallation(row: InstallationRow): Installation {
  return {
    id: row.id,
    appId: row.app_id,
    appName: row.app_name,
    storeId: row.store_id,
    scopes: row.scopes,
    installedBy: row.installed_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
