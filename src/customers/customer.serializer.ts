import { ApiProperty } from '@nestjs/swagger';
import type { CustomerEntity } from './customer.entity';

export class CustomerResource {
  @ApiProperty({ example: 'cus_01jw3e5m8c4t9h2k7q6r0v1x2y' })
  id: string;

  @ApiProperty({ format: 'email' })
  email: string;

  @ApiProperty()
  firstName: string;

  @ApiProperty()
  lastName: string;

  @ApiProperty()
  phone: string;

  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

/** The v1 customer as REST returns it; events and sync reuse it. */
export function serializeCustomer(customer: CustomerEntity): CustomerResource {
  return {
    id: customer.id,
    email: customer.email,
    firstName: customer.firstName,
    lastName: customer.lastName,
    phone: customer.phone,
    version: customer.version,
    createdAt: customer.createdAt.toISOString(),
    updatedAt: customer.updatedAt.toISOString(),
  };
}
