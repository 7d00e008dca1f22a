import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A push that meets a concurrent edit reads the resource's earlier conflicts (the open ones it
 * supersedes or meets again, and those a person settled): by resource and external id.
 */
export class SyncConflictsByResource1764860000000 implements MigrationInterface {
  name = 'SyncConflictsByResource1764860000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'CREATE INDEX sync_conflicts_resource ON sync_conflicts (resource, external_id, created_at)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX sync_conflicts_resource');
  }
}
