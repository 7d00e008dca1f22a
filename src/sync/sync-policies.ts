import type { Decision } from './three-way-merge';

/**
 * What to do with a field both sides changed since the version the push is based on. A field
 * only one side changed keeps that side's value under every policy (CONTRACT.md).
 */
export const SYNC_POLICIES = ['self_hosted_wins', 'platform_wins', 'merge', 'manual'] as const;
export type SyncPolicy = (typeof SYNC_POLICIES)[number];

/** Resources whose policy can be set; stock levels always follow the self-hosted side. */
export const POLICY_RESOURCES = ['product', 'customer'] as const;
export type PolicyResource = (typeof POLICY_RESOURCES)[number];

/**
 * The self-hosted store owns its catalogue (CONTRACT.md): its product edits win. Customers are
 * edited on both sides (a buyer updates their address on the marketplace): merge field by field,
 * and keep what cannot be merged for a person to decide.
 */
export const DEFAULT_POLICIES: Record<PolicyResource, SyncPolicy> = {
  product: 'self_hosted_wins',
  customer: 'merge',
};

/**
 * How a policy settles one field both sides changed (the push is the incoming side, the
 * platform's resource the current one). `merge` merges what can be merged element by element (a
 * set such as tags) and leaves the rest to a person, like `manual` does for every field.
 */
export function policyDecision(policy: SyncPolicy, combinable: boolean): Decision {
  switch (policy) {
    case 'self_hosted_wins':
      return 'incoming';
    case 'platform_wins':
      return 'current';
    case 'merge':
      return combinable ? 'combine' : 'open';
    case 'manual':
      return 'open';
  }
}
