import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePlatform1764000000000 implements MigrationInterface {
  name = 'CreatePlatform1764000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE platform.stores (
        id text PRIMARY KEY,
        name text NOT NULL,
        handle text NOT NULL UNIQUE,
        currency char(3) NOT NULL,
        hosting text NOT NULL CHECK (hosting IN ('hosted', 'self_hosted')),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
        schema_version integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE platform.store_domains (
        domain text PRIMARY KEY,
        store_id text NOT NULL REFERENCES platform.stores (id) ON DELETE CASCADE,
        position integer NOT NULL
      )`);
    await runner.query('CREATE INDEX store_domains_store_id ON platform.store_domains (store_id)');
    await runner.query(`
      CREATE TABLE platform.api_keys (
        id text PRIMARY KEY,
        store_id text NOT NULL REFERENCES platform.stores (id) ON DELETE CASCADE,
        name text NOT NULL,
        prefix text NOT NULL,
        secret_hash bytea NOT NULL UNIQUE,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await runner.query('CREATE INDEX api_keys_store_id ON platform.api_keys (store_id, id)');
    await runner.query(`
      CREATE TABLE platform.staff (
        id text PRIMARY KEY,
        store_id text NOT NULL REFERENCES platform.stores (id) ON DELETE CASCADE,
        email text NOT NULL,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('owner', 'staff')),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (store_id, email)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      'DROP TABLE platform.staff, platform.api_keys, platform.store_domains, platform.stores',
    );
  }
}
