import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customers, orders, inventory adjustments, the event log, per-store counters and idempotency
 * keys. Runs with `search_path` set to one store's schema only.
 */
export class CreateCommerce1764100000000 implements MigrationInterface {
  name = 'CreateCommerce1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    // Counters hand out gap-free numbers (order numbers, event sequence): the row lock is held to
    // commit, so numbers commit in the order they were taken and a rollback returns its number.
    await runner.query(`
      CREATE TABLE counters (
        name text PRIMARY KEY,
        value bigint NOT NULL
      )`);
    await runner.query(
      `INSERT INTO counters (name, value) VALUES ('order_number', 0), ('event_sequence', 0)`,
    );
    await runner.query(`
      CREATE TABLE customers (
        id text PRIMARY KEY,
        email text NOT NULL,
        first_name text NOT NULL DEFAULT '',
        last_name text NOT NULL DEFAULT '',
        phone text NOT NULL DEFAULT '',
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE UNIQUE INDEX customers_email ON customers (lower(email))');
    await runner.query('CREATE INDEX customers_updated_at_id ON customers (updated_at, id)');
    await runner.query(`
      CREATE TABLE orders (
        id text PRIMARY KEY,
        number bigint NOT NULL UNIQUE,
        email text NOT NULL,
        customer_id text REFERENCES customers (id) ON DELETE SET NULL,
        currency char(3) NOT NULL,
        subtotal bigint NOT NULL,
        total bigint NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'cancelled', 'closed')),
        financial_status text NOT NULL CHECK (financial_status IN ('pending', 'paid', 'refunded')),
        fulfillment_status text NOT NULL CHECK (fulfillment_status IN ('unfulfilled', 'fulfilled')),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX orders_status_id ON orders (status, id)');
    await runner.query('CREATE INDEX orders_updated_at_id ON orders (updated_at, id)');
    await runner.query('CREATE INDEX orders_customer_id ON orders (customer_id)');
    await runner.query(`
      CREATE TABLE line_items (
        id text PRIMARY KEY,
        order_id text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        position integer NOT NULL,
        variant_id text,
        sku text NOT NULL,
        title text NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        unit_price bigint NOT NULL,
        total bigint NOT NULL
      )`);
    await runner.query('CREATE INDEX line_items_order_id ON line_items (order_id, position)');
    await runner.query(`
      CREATE TABLE inventory_adjustments (
        id text PRIMARY KEY,
        variant_id text NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
        delta integer NOT NULL,
        reason text NOT NULL,
        quantity_after integer NOT NULL,
        actor_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      'CREATE INDEX inventory_adjustments_variant_id ON inventory_adjustments (variant_id, created_at)',
    );
    await runner.query(`
      CREATE TABLE events (
        sequence bigint PRIMARY KEY,
        id text NOT NULL UNIQUE,
        type text NOT NULL,
        resource_id text NOT NULL,
        api_version text NOT NULL,
        payload json NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX events_type_sequence ON events (type, sequence)');
    await runner.query('CREATE INDEX events_created_at ON events (created_at)');
    await runner.query(`
      CREATE TABLE idempotency_keys (
        credential_id text NOT NULL,
        key text NOT NULL,
        request_hash bytea NOT NULL,
        response_status integer NOT NULL,
        response_body json,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (credential_id, key)
      )`);
    await runner.query('CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      'DROP TABLE idempotency_keys, events, inventory_adjustments, line_items, orders, customers, counters',
    );
  }
}
