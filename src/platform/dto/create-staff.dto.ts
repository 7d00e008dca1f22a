import { IsEmail, IsIn, IsString, Length } from 'class-validator';
import type { StaffRole } from '../staff.entity';

export class CreateStaffDto {
  @IsEmail()
  @Length(3, 254)
  email: string;

  @IsString()
  @Length(12, 256, { message: 'password must be 12 to 256 characters' })
  password: string;

  @IsIn(['owner', 'staff'])
  role: StaffRole;
}
