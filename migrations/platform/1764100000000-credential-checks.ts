import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lets a store transaction re-check its credential in the same statement that selects the store's
 * schema, so a key revoked a moment ago is refused without an extra round trip per request.
 */
export class CredentialChecks1764100000000 implements MigrationInterface {
  name = 'CredentialChecks1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE FUNCTION platform.api_key_active(key_id text) RETURNS boolean
      LANGUAGE sql STABLE AS $$
        SELECT EXISTS (
          SELECT 1 FROM platform.api_keys k JOIN platform.stores s ON s.id = k.store_id
           WHERE k.id = key_id AND k.revoked_at IS NULL AND s.status = 'active')
      $$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP FUNCTION platform.api_key_active(text)');
  }
}
