import { IsIn } from 'class-validator';
import { Omittable } from '../../common/validation/validators';
import { SYNC_POLICIES, SyncPolicy } from '../sync-policies';

/** The policies to change; a resource left out keeps its policy. */
export class UpdateSyncPoliciesDto {
  @Omittable()
  @IsIn(SYNC_POLICIES)
  product?: SyncPolicy;

  @Omittable()
  @IsIn(SYNC_POLICIES)
  customer?: SyncPolicy;
}

export class ResolveConflictDto {
  /** `self_hosted` writes the pushed change over the platform's; `platform` keeps the platform's. */
  @IsIn(['self_hosted', 'platform'])
  keep: 'self_hosted' | 'platform';
}
