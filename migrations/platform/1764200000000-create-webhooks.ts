import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook subscriptions, their deliveries (the outbox rows written with each event) and every
 * delivery attempt. Platform tables: a dispatcher serves all stores from one queue, and every row
 * carries its store id, which each query filters on.
 */
export class CreateWebhooks1764200000000 implements MigrationInterface {
  name = 'CreateWebhooks1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE platform.webhook_subscriptions (
        id text PRIMARY KEY,
        store_id text NOT NULL REFERENCES platform.stores (id) ON DELETE CASCADE,
        url text NOT NULL,
        topics text[] NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'disabled')),
        disabled_reason text,
        api_version text NOT NULL,
        secret_sealed text NOT NULL,
        previous_secret_sealed text,
        previous_secret_expires_at timestamptz,
        failing_since timestamptz,
        created_by text NOT NULL,
        version integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      'CREATE INDEX webhook_subscriptions_store ON platform.webhook_subscriptions (store_id, id)',
    );
    await runner.query(`
      CREATE TABLE platform.webhook_deliveries (
        id text PRIMARY KEY,
        store_id text NOT NULL,
        subscription_id text NOT NULL
          REFERENCES platform.webhook_subscriptions (id) ON DELETE CASCADE,
        event_id text NOT NULL,
        event_type text NOT NULL,
        body text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempt_count integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      'CREATE INDEX webhook_deliveries_subscription ON platform.webhook_deliveries (subscription_id, id)',
    );
    await runner.query(
      'CREATE INDEX webhook_deliveries_event ON platform.webhook_deliveries (store_id, event_id)',
    );
    // The sweeper's index: only pending rows, by when they are due.
    await runner.query(
      `CREATE INDEX webhook_deliveries_due ON platform.webhook_deliveries (next_attempt_at)
        WHERE status = 'pending'`,
    );
    await runner.query(`
      CREATE TABLE platform.webhook_attempts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        delivery_id text NOT NULL REFERENCES platform.webhook_deliveries (id) ON DELETE CASCADE,
        attempted_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        status_code integer,
        error text,
        response_body text NOT NULL DEFAULT ''
      )`);
    await runner.query(
      'CREATE INDEX webhook_attempts_delivery ON platform.webhook_attempts (delivery_id, id)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE platform.webhook_attempts');
    await runner.query('DROP TABLE platform.webhook_deliveries');
    await runner.query('DROP TABLE platform.webhook_subscriptions');
  }
}
