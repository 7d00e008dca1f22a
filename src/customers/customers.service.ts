import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { isId, newId } from '../common/ids';
import { decodeCursor, Page } from '../common/pagination';
import { RequestContext } from '../common/request-context';
import { violatedUniqueConstraint } from '../database/postgres-errors';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import { EventLog } from '../events/event-log.service';
import { CustomerEntity } from './customer.entity';
import { CustomerResource, serializeCustomer } from './customer.serializer';
import { CreateCustomerDto, ListCustomersQueryDto, UpdateCustomerDto } from './dto/customer.dto';

@Injectable()
export class CustomersService {
  constructor(
    readonly connection: TransactionalConnection,
    private readonly events: EventLog,
  ) {}

  @Transactional()
  async create(ctx: RequestContext, input: CreateCustomerDto): Promise<CustomerResource> {
    const repository = this.connection.repository(ctx, CustomerEntity);
    await this.assertEmailFree(ctx, input.email);
    const customer = repository.create({
      id: newId('cus'),
      email: input.email,
      firstName: input.firstName ?? '',
      lastName: input.lastName ?? '',
      phone: input.phone ?? '',
      version: 1,
    });
    await this.insertOrConflict(() => repository.insert(customer));
    const created = serializeCustomer(await repository.findOneByOrFail({ id: customer.id }));
    this.events.record(ctx, 'customer.created', created.id, created);
    return created;
  }

  @Transactional({ readOnly: true })
  async get(ctx: RequestContext, customerId: string): Promise<CustomerResource> {
    return serializeCustomer(await this.find(ctx, customerId));
  }

  /** Whether the store has this customer (an order's `customerId`). */
  @Transactional({ readOnly: true })
  async exists(ctx: RequestContext, customerId: string): Promise<boolean> {
    return (
      isId(customerId, 'cus') &&
      this.connection.repository(ctx, CustomerEntity).existsBy({ id: customerId })
    );
  }

  /** Several customers in one statement (GraphQL's order → customer loader); missing ids are absent. */
  @Transactional({ readOnly: true })
  async getMany(
    ctx: RequestContext,
    customerIds: readonly string[],
  ): Promise<Map<string, CustomerResource>> {
    const ids = customerIds.filter((id) => isId(id, 'cus'));
    const customers =
      ids.length === 0
        ? []
        : await this.connection.repository(ctx, CustomerEntity).findBy({ id: In(ids) });
    return new Map(customers.map((customer) => [customer.id, serializeCustomer(customer)]));
  }

  @Transactional({ readOnly: true })
  async list(ctx: RequestContext, query: ListCustomersQueryDto): Promise<Page<CustomerResource>> {
    const after = decodeCursor(query.cursor, ['string'] as const);
    const builder = this.connection
      .repository(ctx, CustomerEntity)
      .createQueryBuilder('customer')
      .orderBy('customer.id', 'ASC')
      .limit(query.limit + 1);
    if (after) builder.andWhere('customer.id > :after', { after: after[0] });
    if (query.updatedSince)
      builder.andWhere('customer.updatedAt >= :since', { since: new Date(query.updatedSince) });
    return Page.fromRows(await builder.getMany(), query.limit, (customer) => [customer.id]).map(
      serializeCustomer,
    );
  }

  @Transactional()
  async update(
    ctx: RequestContext,
    customerId: string,
    input: UpdateCustomerDto,
    expectedVersion?: number,
  ): Promise<CustomerResource> {
    const customer = await this.find(ctx, customerId, { lock: true, expectedVersion });
    if (input.email !== undefined && input.email.toLowerCase() !== customer.email.toLowerCase())
      await this.assertEmailFree(ctx, input.email);
    for (const field of ['email', 'firstName', 'lastName', 'phone'] as const) {
      if (input[field] !== undefined) customer[field] = input[field];
    }
    customer.version += 1;
    customer.updatedAt = new Date();
    await this.insertOrConflict(() =>
      this.connection.repository(ctx, CustomerEntity).save(customer),
    );
    const updated = serializeCustomer(customer);
    this.events.record(ctx, 'customer.updated', updated.id, updated);
    return updated;
  }

  /** Orders keep their email and lose only the link to the customer (ON DELETE SET NULL). */
  @Transactional()
  async remove(ctx: RequestContext, customerId: string, expectedVersion?: number): Promise<void> {
    const customer = await this.find(ctx, customerId, { lock: true, expectedVersion });
    const last = serializeCustomer(customer);
    await this.connection.repository(ctx, CustomerEntity).delete({ id: customer.id });
    this.events.record(ctx, 'customer.deleted', last.id, last);
  }

  private find(
    ctx: RequestContext,
    customerId: string,
    change: { lock?: boolean; expectedVersion?: number } = {},
  ): Promise<CustomerEntity> {
    return this.connection.getEntityOrThrow(ctx, CustomerEntity, customerId, {
      prefix: 'cus',
      name: 'customer',
      ...change,
    });
  }

  private async assertEmailFree(ctx: RequestContext, email: string): Promise<void> {
    const taken = await this.connection
      .repository(ctx, CustomerEntity)
      .createQueryBuilder('customer')
      .where('lower(customer.email) = lower(:email)', { email })
      .getExists();
    if (taken) throw emailTaken();
  }

  /** Two concurrent writes with one email both pass the check; the unique index decides. */
  private async insertOrConflict(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (violatedUniqueConstraint(error) !== undefined) throw emailTaken();
      throw error;
    }
  }
}

function emailTaken(): DomainError {
  return new DomainError('already_exists', 'Another customer of this store has this email.', {
    errors: [{ path: 'email', code: 'already_exists', message: 'Already taken in this store.' }],
  });
}
