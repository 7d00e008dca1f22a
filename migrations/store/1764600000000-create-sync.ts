import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sync with self-hosted stores: which local resource each external id names (in both
 * directions: a self-hosted store's product on the platform, a marketplace order on the
 * self-hosted side), pushed batches kept for replay, conflicts until resolved, and each
 * resource's conflict policy.
 */
export class CreateSync1764600000000 implements MigrationInterface {
  name = 'CreateSync1764600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE sync_links (
        resource text NOT NULL CHECK (resource IN ('product', 'customer', 'inventory', 'order')),
        external_id text NOT NULL,
        resource_id text NOT NULL PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A link outlives its resource, so the feed can still name a deleted resource's external id;
    // an external id re-created after a delete links again, and the newest link is the live one.
    await runner.query(
      'CREATE INDEX sync_links_external_id ON sync_links (resource, external_id, created_at)',
    );
    await runner.query(`
      CREATE TABLE sync_batches (
        batch_id text PRIMARY KEY,
        request_hash bytea NOT NULL,
        results jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE sync_conflicts (
        id text PRIMARY KEY,
        resource text NOT NULL,
        external_id text NOT NULL,
        resource_id text,
        policy text NOT NULL,
        base_version integer,
        server_version integer,
        server_data jsonb,
        incoming_data jsonb,
        incoming_deleted boolean NOT NULL DEFAULT false,
        fields text[] NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'resolved')),
        resolution text,
        batch_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz
      )`);
    await runner.query('CREATE INDEX sync_conflicts_status ON sync_conflicts (status, id)');
    await runner.query(`
      CREATE TABLE sync_policies (
        resource text PRIMARY KEY CHECK (resource IN ('product', 'customer', 'inventory')),
        policy text NOT NULL
          CHECK (policy IN ('self_hosted_wins', 'platform_wins', 'merge', 'manual')),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The change feed reads one resource's history to find the version a push was based on.
    await runner.query('CREATE INDEX events_resource_sequence ON events (resource_id, sequence)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX events_resource_sequence');
    await runner.query('DROP TABLE sync_policies, sync_conflicts, sync_batches, sync_links');
  }
}
