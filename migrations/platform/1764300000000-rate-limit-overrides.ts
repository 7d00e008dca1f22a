import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate limits the platform admin sets for one credential (an API key or an OAuth app), over the
 * RATE_LIMIT_* and GRAPHQL_COST_* defaults. A limit is a bucket and its refill rate, set or reset
 * together; a row with neither is deleted rather than kept empty. Keyed by credential id with no
 * foreign key, as the id names a row of either credential table.
 */
export class RateLimitOverrides1764300000000 implements MigrationInterface {
  name = 'RateLimitOverrides1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE platform.rate_limit_overrides (
        credential_id text PRIMARY KEY,
        rest_bucket integer CHECK (rest_bucket BETWEEN 1 AND 1000000),
        rest_refill_per_second integer CHECK (rest_refill_per_second BETWEEN 1 AND 1000000),
        graphql_bucket integer CHECK (graphql_bucket BETWEEN 1 AND 1000000),
        graphql_refill_per_second integer CHECK (graphql_refill_per_second BETWEEN 1 AND 1000000),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((rest_bucket IS NULL) = (rest_refill_per_second IS NULL)),
        CHECK ((graphql_bucket IS NULL) = (graphql_refill_per_second IS NULL)),
        CHECK (rest_bucket IS NOT NULL OR graphql_bucket IS NOT NULL)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE platform.rate_limit_overrides');
  }
}
