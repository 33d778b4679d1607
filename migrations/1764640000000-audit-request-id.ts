import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each audit row names the HTTP request that caused it (null for jobs and the CLI). */
export class AuditRequestId1764640000000 implements MigrationInterface {
  name = 'AuditRequestId1764640000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log ADD COLUMN request_id text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log DROP COLUMN request_id`);
  }
}
