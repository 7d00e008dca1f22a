import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sync agent's own state, on the self-hosted instance's database, written in the same
 * transactions as the local changes it makes so that a crash can neither lose nor double one:
 * where it is in each feed (the local feed it pushes from, the platform feed it pulls from), the
 * platform version each pushed resource had when last seen (the next push's `baseVersion`), and
 * the changes it could not apply, kept for a person instead of dropped silently. Keyed by store
 * and platform URL: pairing the store with another platform starts over, which is safe because
 * pushes and pulled orders are both idempotent.
 */
export class SyncAgent1764700000000 implements MigrationInterface {
  name = 'SyncAgent1764700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE platform.sync_agent_state (
        store_id text NOT NULL REFERENCES platform.stores (id) ON DELETE CASCADE,
        platform_url text NOT NULL,
        push_cursor text,
        -- The last local change of the batch being pushed, written before it is sent: after a
        -- crash the same batch is rebuilt from exactly the same changes, whatever came since.
        push_pending_until text,
        pull_cursor text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (store_id, platform_url)
      )`);
    await runner.query(`
      CREATE TABLE platform.sync_agent_versions (
        store_id text NOT NULL,
        platform_url text NOT NULL,
        resource text NOT NULL CHECK (resource IN ('product', 'customer', 'inventory')),
        external_id text NOT NULL,
        platform_id text,
        version integer,
        PRIMARY KEY (store_id, platform_url, resource, external_id),
        FOREIGN KEY (store_id, platform_url)
          REFERENCES platform.sync_agent_state (store_id, platform_url) ON DELETE CASCADE
      )`);
    // Pulled orders name the platform's customer id; this finds the local customer it came from.
    await runner.query(`
      CREATE INDEX sync_agent_versions_platform_id
        ON platform.sync_agent_versions (store_id, platform_url, platform_id)`);
    await runner.query(`
      CREATE TABLE platform.sync_agent_failures (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        store_id text NOT NULL,
        platform_url text NOT NULL,
        direction text NOT NULL CHECK (direction IN ('push', 'pull')),
        resource text NOT NULL,
        external_id text NOT NULL,
        code text NOT NULL,
        detail jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (store_id, platform_url)
          REFERENCES platform.sync_agent_state (store_id, platform_url) ON DELETE CASCADE
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      'DROP TABLE platform.sync_agent_failures, platform.sync_agent_versions, platform.sync_agent_state',
    );
  }
}
