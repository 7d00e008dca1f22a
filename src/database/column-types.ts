import { Column } from 'typeorm';

/**
 * PostgreSQL bigint arrives as a string (it may exceed 2^53); money, counts and sequences here
 * never do, because input is refused past 2^53, so they are read back as numbers.
 */
export const bigintAsNumber = {
  to: (value: number) => value,
  from: (value: string) => Number(value),
};

/** The columns every mutable resource has: an integer version for If-Match, and its timestamps. */
export abstract class VersionedEntity {
  @Column({ type: 'integer' })
  version: number;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
