import { MigrationInterface, QueryRunner } from 'typeorm';

/** Runs with `search_path` set to one store's schema only: every name here is that store's. */
export class CreateCatalog1764000000000 implements MigrationInterface {
  name = 'CreateCatalog1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE products (
        id text PRIMARY KEY,
        title text NOT NULL,
        handle text NOT NULL UNIQUE,
        description text NOT NULL DEFAULT '',
        status text NOT NULL CHECK (status IN ('draft', 'active', 'archived')),
        tags text[] NOT NULL DEFAULT '{}',
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX products_status_id ON products (status, id)');
    await runner.query('CREATE INDEX products_updated_at_id ON products (updated_at, id)');
    await runner.query(`
      CREATE TABLE variants (
        id text PRIMARY KEY,
        product_id text NOT NULL REFERENCES products (id) ON DELETE CASCADE,
        position integer NOT NULL,
        sku text NOT NULL UNIQUE,
        title text NOT NULL DEFAULT '',
        price bigint NOT NULL CHECK (price >= 0),
        inventory_quantity integer NOT NULL DEFAULT 0 CHECK (inventory_quantity >= 0),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX variants_product_id ON variants (product_id, position)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE variants, products');
  }
}
