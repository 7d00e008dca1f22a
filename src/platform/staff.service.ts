import { Injectable } from '@nestjs/common';
import { hashPassword } from '../auth/password-hasher';
import { DomainError } from '../common/errors/domain-error';
import { newId } from '../common/ids';
import { RequestContext } from '../common/request-context';
import { violatedUniqueConstraint } from '../database/postgres-errors';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import { CreateStaffDto } from './dto/create-staff.dto';
import { StaffEntity } from './staff.entity';
import { StoresService } from './stores.service';

/** What a staff member may do in their store, as other modules (sign-in, sessions) see it. */
export type { StaffRole } from './staff.entity';

@Injectable()
export class StaffService {
  constructor(
    readonly connection: TransactionalConnection,
    private readonly stores: StoresService,
  ) {}

  /** The memory-hard hash is computed before the transaction, so it never holds a connection. */
  async create(ctx: RequestContext, storeId: string, input: CreateStaffDto): Promise<StaffEntity> {
    return this.insert(
      ctx,
      storeId,
      input.email.toLowerCase(),
      input.role,
      await hashPassword(input.password),
    );
  }

  @Transactional()
  private async insert(
    ctx: RequestContext,
    storeId: string,
    email: string,
    role: StaffEntity['role'],
    passwordHash: string,
  ): Promise<StaffEntity> {
    await this.stores.get(ctx, storeId);
    const repository = this.connection.repository(ctx, StaffEntity);
    if (await repository.existsBy({ storeId, email })) throw emailTaken();
    const staff = repository.create({ id: newId('staff'), storeId, email, role, passwordHash });
    try {
      await repository.insert(staff);
    } catch (error) {
      if (violatedUniqueConstraint(error) !== undefined) throw emailTaken();
      throw error;
    }
    return repository.findOneByOrFail({ id: staff.id });
  }
}

function emailTaken(): DomainError {
  return new DomainError(
    'already_exists',
    'This store already has a staff account with this email.',
    {
      errors: [{ path: 'email', code: 'already_exists', message: 'Already taken.' }],
    },
  );
}
