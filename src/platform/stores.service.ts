import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { newId, isId } from '../common/ids';
import { decodeCursor, Page } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { MigrationRunner } from '../database/migration-runner';
import { violatedUniqueConstraint } from '../database/postgres-errors';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import { CreateStoreDto } from './dto/create-store.dto';
import { UpdateStoreDto } from './dto/update-store.dto';
import { StoreHostChanges } from './store-host-changes';
import { Hosting, StoreDomainEntity, StoreEntity } from './store.entity';

/** What a hosted page needs of the store its host names. */
export interface HostedStore {
  readonly id: string;
  readonly handle: string;
  readonly name: string;
  readonly currency: string;
  readonly hosting: Hosting;
}

@Injectable()
export class StoresService {
  /** A store's currency never changes, so it is read once per store and process. */
  private readonly currencies = new Map<string, string>();

  constructor(
    readonly connection: TransactionalConnection,
    private readonly migrations: MigrationRunner,
    private readonly hostChanges: StoreHostChanges,
  ) {}

  /** Creates the store and its schema, migrated to the latest version, in one transaction. */
  @Transactional()
  async create(ctx: RequestContext, input: CreateStoreDto): Promise<StoreEntity> {
    const manager = this.connection.manager(ctx);
    const domains = normalized(input.domains ?? []);
    await this.assertAvailable(ctx, input.handle, domains);
    const store = manager.create(StoreEntity, {
      id: newId('store'),
      name: input.name,
      handle: input.handle,
      currency: input.currency,
      hosting: input.hosting,
      status: 'active',
      schemaVersion: 0,
      domains: domains.map((domain, position) => ({ domain, position })),
    });
    try {
      await manager.save(store);
    } catch (error) {
      // Two concurrent creations with one handle both pass the check; the constraint decides.
      if (violatedUniqueConstraint(error) !== undefined) throw handleTaken('handle');
      throw error;
    }
    await this.migrations.createStoreSchema(manager.queryRunner!, store.id);
    return this.get(ctx, store.id);
  }

  /**
   * Changes the store (its domains replaced when given), then has every instance's host cache
   * forget: announced after the commit, so no cache refills with the old answer.
   */
  async update(ctx: RequestContext, storeId: string, input: UpdateStoreDto): Promise<StoreEntity> {
    const store = await this.applyUpdate(ctx, storeId, input);
    if (input.domains) this.hostChanges.announce();
    return store;
  }

  @Transactional()
  private async applyUpdate(
    ctx: RequestContext,
    storeId: string,
    input: UpdateStoreDto,
  ): Promise<StoreEntity> {
    await this.get(ctx, storeId);
    if (input.domains) {
      const manager = this.connection.manager(ctx);
      const domains = normalized(input.domains);
      await this.assertDomainsAvailable(ctx, domains, storeId);
      await manager.delete(StoreDomainEntity, { storeId });
      try {
        if (domains.length > 0)
          await manager.insert(
            StoreDomainEntity,
            domains.map((domain, position) => ({ domain, storeId, position })),
          );
      } catch (error) {
        // Another store took one of the domains since the check; the primary key decides.
        if (violatedUniqueConstraint(error) !== undefined) throw handleTaken('domains');
        throw error;
      }
    }
    return this.get(ctx, storeId);
  }

  @Transactional({ readOnly: true })
  async get(ctx: RequestContext, storeId: string): Promise<StoreEntity> {
    const store = isId(storeId, 'store')
      ? await this.connection
          .repository(ctx, StoreEntity)
          .findOne({ where: { id: storeId }, relations: { domains: true } })
      : null;
    if (!store) throw DomainError.notFound('store');
    return store;
  }

  @Transactional({ readOnly: true })
  async list(
    ctx: RequestContext,
    query: { limit: number; cursor?: string },
  ): Promise<Page<StoreEntity>> {
    const after = decodeCursor(query.cursor, ['string'] as const);
    const builder = this.connection
      .repository(ctx, StoreEntity)
      .createQueryBuilder('store')
      .leftJoinAndSelect('store.domains', 'domain')
      .orderBy('store.id', 'ASC')
      .take(query.limit + 1);
    if (after) builder.where('store.id > :after', { after: after[0] });
    return Page.fromRows(await builder.getMany(), query.limit, (store) => [store.id]);
  }

  /**
   * The active store a hosted page's `Host` names (CONTRACT.md, Hosted UI): `<handle>.<baseDomain>`
   * on any port, or one of the store's domains; on an instance holding one store, any host.
   */
  @Transactional({ readOnly: true })
  async findActiveByHost(
    ctx: RequestContext,
    host: string,
    baseDomain: string,
  ): Promise<HostedStore | undefined> {
    const hostname = host.replace(/:\d+$/, '').replace(/\.$/, '').toLowerCase();
    const suffix = `.${baseDomain}`;
    const handle = hostname.endsWith(suffix) ? hostname.slice(0, -suffix.length) : null;
    const rows: HostedStore[] = await this.connection.manager(ctx).query(
      `SELECT id, handle, name, currency, hosting FROM platform.stores
        WHERE status = 'active'
          AND (handle = $1
               OR id IN (SELECT store_id FROM platform.store_domains WHERE domain = $2)
               OR (SELECT count(*) FROM platform.stores) = 1)
        ORDER BY handle = $1 DESC LIMIT 1`,
      [handle, hostname],
    );
    return rows[0];
  }

  /**
   * The context's store's currency. A store context's transaction reaches the platform table by
   * its qualified name, so this joins the caller's transaction (an order's) without a round trip
   * of its own once cached.
   */
  @Transactional({ readOnly: true })
  async currencyOf(ctx: RequestContext): Promise<string> {
    const storeId = ctx.requireStore();
    let currency = this.currencies.get(storeId);
    if (!currency) {
      const [row]: { currency: string }[] = await this.connection
        .manager(ctx)
        .query('SELECT currency FROM platform.stores WHERE id = $1', [storeId]);
      currency = row.currency;
      this.currencies.set(storeId, currency);
    }
    return currency;
  }

  /** Whether any store exists at all: first-run onboarding only acts on an empty platform. */
  @Transactional({ readOnly: true })
  async isEmpty(ctx: RequestContext): Promise<boolean> {
    return !(await this.connection.repository(ctx, StoreEntity).exists());
  }

  private async assertAvailable(
    ctx: RequestContext,
    handle: string,
    domains: string[],
  ): Promise<void> {
    const manager = this.connection.manager(ctx);
    const errors = [];
    if (await manager.exists(StoreEntity, { where: { handle } })) {
      errors.push({
        path: 'handle',
        code: 'already_exists',
        message: `The handle "${handle}" is taken.`,
      });
    }
    errors.push(...(await this.takenDomains(ctx, domains)));
    if (errors.length > 0) throw alreadyUsed(errors);
  }

  private async assertDomainsAvailable(
    ctx: RequestContext,
    domains: string[],
    storeId: string,
  ): Promise<void> {
    const errors = await this.takenDomains(ctx, domains, storeId);
    if (errors.length > 0) throw alreadyUsed(errors);
  }

  /** The domains another store (than `storeId`) holds, as field errors. */
  private async takenDomains(ctx: RequestContext, domains: string[], storeId?: string) {
    const taken: { domain: string }[] = domains.length
      ? await this.connection
          .manager(ctx)
          .query(
            'SELECT domain FROM platform.store_domains WHERE domain = ANY($1) AND store_id IS DISTINCT FROM $2',
            [domains, storeId ?? null],
          )
      : [];
    return taken.map(({ domain }) => ({
      path: `domains.${domains.indexOf(domain)}`,
      code: 'already_exists',
      message: `The domain "${domain}" belongs to another store.`,
    }));
  }
}

/** Domains are matched lower-cased, as hosts are; a repeated one is kept once. */
function normalized(domains: string[]): string[] {
  return [...new Set(domains.map((domain) => domain.toLowerCase()))];
}

function alreadyUsed(errors: { path: string; code: string; message: string }[]): DomainError {
  return new DomainError('already_exists', 'A store already uses this handle or domain.', {
    errors,
  });
}

function handleTaken(path: string): DomainError {
  return new DomainError('already_exists', 'A store already uses this handle or domain.', {
    errors: [{ path, code: 'already_exists', message: 'Already taken.' }],
  });
}
