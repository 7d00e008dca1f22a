import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError, unlessNotFound } from '../common/errors/domain-error';
import { isId, newId } from '../common/ids';
import { decodeCursor, Page } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { CredentialFreshness } from '../database/credential-freshness';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import { StoresService } from '../platform/stores.service';
import { RateLimitOverrides } from '../throttling/rate-limit-overrides.service';
import { CreateAppDto } from './dto/create-app.dto';
import { UpdateAppDto } from './dto/update-app.dto';
import { hashSecret } from '../common/crypto/secret-hash';
import { generateSecret } from './oauth-secrets';

export interface App {
  readonly id: string;
  readonly clientId: string;
  readonly name: string;
  readonly redirectUris: readonly string[];
  readonly scopes: readonly string[];
  readonly confidential: boolean;
  readonly storeId: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

interface AppRow {
  id: string;
  client_id: string;
  name: string;
  redirect_uris: string[];
  scopes: string[];
  confidential: boolean;
  store_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const APP_COLUMNS =
  'id, client_id, name, redirect_uris, scopes, confidential, store_id, created_at, updated_at';

export function toApp(row: AppRow): App {
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    redirectUris: row.redirect_uris,
    scopes: row.scopes,
    confidential: row.confidential,
    storeId: row.store_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Apps (OAuth clients), registered by the platform admin through the API or the CLI. */
@Injectable()
export class AppsService {
  constructor(
    readonly connection: TransactionalConnection,
    private readonly stores: StoresService,
    private readonly limits: RateLimitOverrides,
    private readonly freshness: CredentialFreshness,
  ) {}

  /** Returns the client secret in clear this once; only its hash is stored. */
  @Transactional()
  async create(
    ctx: RequestContext,
    input: CreateAppDto,
  ): Promise<{ app: App; clientSecret: string | null }> {
    if (input.storeId !== undefined) {
      if (!input.confidential)
        throw DomainError.validation([
          {
            path: 'storeId',
            code: 'requires_confidential',
            message: 'A single-store app uses client_credentials, so it must be confidential.',
          },
        ]);
      if (!(await unlessNotFound(this.stores.get(ctx, input.storeId))))
        throw DomainError.notFound('store', 'storeId');
    }
    const clientSecret = input.confidential ? generateSecret('clientSecret') : null;
    const rows: AppRow[] = await this.manager(ctx).query(
      `INSERT INTO platform.apps
         (id, client_id, name, redirect_uris, scopes, confidential, client_secret_hash, store_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${APP_COLUMNS}`,
      [
        newId('app'),
        generateSecret('clientId'),
        input.name,
        input.redirectUris,
        input.scopes,
        input.confidential,
        clientSecret === null ? null : hashSecret(clientSecret),
        input.storeId ?? null,
      ],
    );
    return { app: toApp(rows[0]), clientSecret };
  }

  @Transactional({ readOnly: true })
  async get(ctx: RequestContext, appId: string): Promise<App> {
    return this.find(this.manager(ctx), appId);
  }

  @Transactional({ readOnly: true })
  async list(ctx: RequestContext, query: { limit: number; cursor?: string }): Promise<Page<App>> {
    const after = decodeCursor(query.cursor, ['string'] as const);
    const rows: AppRow[] = await this.manager(ctx).query(
      `SELECT ${APP_COLUMNS} FROM platform.apps
        WHERE deleted_at IS NULL AND ($1::text IS NULL OR id > $1)
        ORDER BY id LIMIT $2`,
      [after?.[0] ?? null, query.limit + 1],
    );
    return Page.fromRows(rows.map(toApp), query.limit, (app) => [app.id]);
  }

  @Transactional()
  async update(ctx: RequestContext, appId: string, input: UpdateAppDto): Promise<App> {
    const manager = this.manager(ctx);
    await this.find(manager, appId);
    // An UPDATE answers [rows, count] through TypeORM.
    const [rows]: [AppRow[], number] = await manager.query(
      `UPDATE platform.apps
          SET name = coalesce($2, name), redirect_uris = coalesce($3, redirect_uris),
              scopes = coalesce($4, scopes), updated_at = now()
        WHERE id = $1 RETURNING ${APP_COLUMNS}`,
      [appId, input.name ?? null, input.redirectUris ?? null, input.scopes ?? null],
    );
    if (input.rateLimit !== undefined || input.graphqlCost !== undefined)
      await this.limits.set(ctx, appId, { rest: input.rateLimit, graphql: input.graphqlCost });
    return toApp(rows[0]);
  }

  /**
   * Deleting an app ends it everywhere: its tokens are refused from this commit on (the token
   * check joins the app), its installations are closed and its codes can no longer be redeemed.
   */
  @Transactional()
  async delete(ctx: RequestContext, appId: string): Promise<void> {
    const manager = this.manager(ctx);
    await this.find(manager, appId);
    await manager.query('UPDATE platform.apps SET deleted_at = now() WHERE id = $1', [appId]);
    await manager.query(
      `UPDATE platform.installations SET uninstalled_at = now()
        WHERE app_id = $1 AND uninstalled_at IS NULL`,
      [appId],
    );
    await manager.query(
      'UPDATE platform.oauth_tokens SET revoked_at = now() WHERE app_id = $1 AND revoked_at IS NULL',
      [appId],
    );
    await this.limits.set(ctx, appId, null);
    this.connection.afterCommit(ctx, () => this.freshness.checkNow());
  }

  private async find(manager: EntityManager, appId: string): Promise<App> {
    if (!isId(appId, 'app')) throw DomainError.notFound('app');
    const rows: AppRow[] = await manager.query(
      `SELECT ${APP_COLUMNS} FROM platform.apps WHERE id = $1 AND deleted_at IS NULL`,
      [appId],
    );
    if (rows.length === 0) throw DomainError.notFound('app');
    return toApp(rows[0]);
  }

  private manager(ctx: RequestContext): EntityManager {
    return this.connection.manager(ctx);
  }
}
