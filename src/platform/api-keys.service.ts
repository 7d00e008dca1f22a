import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { generateApiKey } from '../auth/api-key-token';
import { DomainError } from '../common/errors/domain-error';
import { isId, newId } from '../common/ids';
import { decodeCursor, Page } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { CredentialFreshness } from '../database/credential-freshness';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import { UpdateRateLimitsDto } from '../throttling/dto/update-rate-limits.dto';
import { RateLimitOverrides, RateLimits } from '../throttling/rate-limit-overrides.service';
import { ApiKeyEntity } from './api-key.entity';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { StoresService } from './stores.service';

/** A key with the rate limits its requests are counted against. */
export interface ApiKeyWithLimits {
  readonly apiKey: ApiKeyEntity;
  readonly limits: RateLimits;
}

@Injectable()
export class ApiKeysService {
  constructor(
    readonly connection: TransactionalConnection,
    private readonly stores: StoresService,
    private readonly rateLimits: RateLimitOverrides,
    private readonly freshness: CredentialFreshness,
  ) {}

  /** Returns the key in clear this once; only its SHA-256 hash is stored. */
  @Transactional()
  async create(
    ctx: RequestContext,
    storeId: string,
    input: CreateApiKeyDto,
  ): Promise<{ apiKey: ApiKeyEntity; key: string }> {
    await this.stores.get(ctx, storeId);
    const { key, prefix, hash } = generateApiKey(input.mode ?? 'live');
    const repository = this.connection.repository(ctx, ApiKeyEntity);
    const apiKey = repository.create({
      id: newId('key'),
      storeId,
      name: input.name,
      prefix,
      secretHash: hash,
      scopes: input.scopes,
      lastUsedAt: null,
      revokedAt: null,
    });
    await repository.insert(apiKey);
    return { apiKey: await repository.findOneByOrFail({ id: apiKey.id }), key };
  }

  @Transactional({ readOnly: true })
  async list(
    ctx: RequestContext,
    storeId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<ApiKeyWithLimits>> {
    await this.stores.get(ctx, storeId);
    const after = decodeCursor(query.cursor, ['string'] as const);
    const builder = this.connection
      .repository(ctx, ApiKeyEntity)
      .createQueryBuilder('key')
      .where('key.storeId = :storeId', { storeId })
      .orderBy('key.id', 'ASC')
      .take(query.limit + 1);
    if (after) builder.andWhere('key.id > :after', { after: after[0] });
    const page = Page.fromRows(await builder.getMany(), query.limit, (key) => [key.id]);
    const limits = await this.rateLimits.getMany(
      ctx,
      page.data.map((key) => key.id),
    );
    return page.map((apiKey) => ({ apiKey, limits: limits.get(apiKey.id)! }));
  }

  /** Sets the key's rate limits (`null` returns one to the default); see RateLimitOverrides.set. */
  @Transactional()
  async update(
    ctx: RequestContext,
    storeId: string,
    keyId: string,
    input: UpdateRateLimitsDto,
  ): Promise<ApiKeyWithLimits> {
    const apiKey = isId(keyId, 'key')
      ? await this.connection.repository(ctx, ApiKeyEntity).findOneBy({ id: keyId, storeId })
      : null;
    if (!apiKey) throw DomainError.notFound('API key');
    const limits = await this.rateLimits.set(ctx, keyId, {
      rest: input.rateLimit,
      graphql: input.graphqlCost,
    });
    return { apiKey, limits };
  }

  /** Revocation is checked on every request, so the key stops working with this commit. */
  @Transactional()
  async revoke(ctx: RequestContext, storeId: string, keyId: string): Promise<void> {
    const repository = this.connection.repository(ctx, ApiKeyEntity);
    const exists = isId(keyId, 'key') && (await repository.existsBy({ id: keyId, storeId }));
    if (!exists) throw DomainError.notFound('API key');
    await repository.update(
      { id: keyId, storeId, revokedAt: IsNull() },
      { revokedAt: () => 'now()' },
    );
    // This instance's key cache forgets it before the answer; the others within 400 ms.
    this.connection.afterCommit(ctx, () => this.freshness.checkNow());
  }
}
