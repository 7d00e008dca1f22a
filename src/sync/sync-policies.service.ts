import { Injectable } from '@nestjs/common';
import { RequestContext } from '../common/request-context';
import { Transactional, TransactionalConnection } from '../database/transactional-connection';
import { DEFAULT_POLICIES, PolicyResource, POLICY_RESOURCES, SyncPolicy } from './sync-policies';

export type PolicySet = Record<PolicyResource, SyncPolicy>;

/** The store's conflict policy per resource: the defaults, with what the store has set. */
@Injectable()
export class SyncPoliciesService {
  constructor(readonly connection: TransactionalConnection) {}

  @Transactional({ readOnly: true })
  async current(ctx: RequestContext): Promise<PolicySet> {
    const rows: { resource: PolicyResource; policy: SyncPolicy }[] = await this.connection
      .manager(ctx)
      .query('SELECT resource, policy FROM sync_policies');
    return {
      ...DEFAULT_POLICIES,
      ...Object.fromEntries(rows.map((row) => [row.resource, row.policy])),
    };
  }

  @Transactional()
  async set(ctx: RequestContext, change: Partial<PolicySet>): Promise<PolicySet> {
    for (const resource of POLICY_RESOURCES) {
      const policy = change[resource];
      if (policy === undefined) continue;
      await this.connection.manager(ctx).query(
        `INSERT INTO sync_policies (resource, policy) VALUES ($1, $2)
         ON CONFLICT (resource) DO UPDATE SET policy = excluded.policy, updated_at = now()`,
        [resource, policy],
      );
    }
    return this.current(ctx);
  }
}
