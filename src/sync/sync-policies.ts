/** What to do when both sides changed a resource since the version the push is based on. */
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
