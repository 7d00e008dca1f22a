import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the order actions record beside the state change: why an order was cancelled, and how a
 * fulfilled one was shipped. Nullable columns without a default, so adding them rewrites nothing
 * however many orders a store holds; orders cancelled or fulfilled before this show null.
 */
export class OrderActionDetails1764800000000 implements MigrationInterface {
  name = 'OrderActionDetails1764800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE orders
        ADD COLUMN cancel_reason text,
        ADD COLUMN tracking_number text,
        ADD COLUMN carrier text`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      'ALTER TABLE orders DROP COLUMN cancel_reason, DROP COLUMN tracking_number, DROP COLUMN carrier',
    );
  }
}
