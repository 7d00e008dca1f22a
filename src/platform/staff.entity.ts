import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type StaffRole = 'owner' | 'staff';

@Entity({ schema: 'platform', name: 'staff' })
export class StaffEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text', name: 'store_id' })
  storeId: string;

  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text', name: 'password_hash', select: false })
  passwordHash: string;

  @Column({ type: 'text' })
  role: StaffRole;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
