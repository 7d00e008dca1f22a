import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `api_key_active` runs in every request's first statement. As a SQL function doing EXISTS it is
 * not inlined and its plan is not kept, so each call planned the join again; as PL/pgSQL its
 * plan is cached per connection. Same body, same answers.
 */
export class CachedKeyCheck1764500000000 implements MigrationInterface {
  name = 'CachedKeyCheck1764500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE OR REPLACE FUNCTION platform.api_key_active(key_id text) RETURNS boolean
      LANGUAGE plpgsql STABLE AS $$
      BEGIN
        RETURN EXISTS (
          SELECT 1 FROM platform.api_keys k JOIN platform.stores s ON s.id = k.store_id
           WHERE k.id = key_id AND k.revoked_at IS NULL AND s.status = 'active');
      END
      $$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE OR REPLACE FUNCTION platform.api_key_active(key_id text) RETURNS boolean
      LANGUAGE sql STABLE AS $$
        SELECT EXISTS (
          SELECT 1 FROM platform.api_keys k JOIN platform.stores s ON s.id = k.store_id
           WHERE k.id = key_id AND k.revoked_at IS NULL AND s.status = 'active')
      $$`);
  }
}
