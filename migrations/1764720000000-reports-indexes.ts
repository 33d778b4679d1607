import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the scheme managers' reports (measured with test/bench/reports.bench.ts on 1,000,000
 * cases; figures in docs/bench-reports.md). Each report reads one range of one index per fact:
 *
 * - referrals by referral_date, installations by installed_at and status changes by
 *   (status, status_changed_at) become index-only scans: the columns the reports group by ride along
 *   in INCLUDE. The three existing indexes are replaced by these supersets under the same names, so
 *   every query that used them still can.
 * - the end of support, the cases still in support and the cases that resumed the relationship get
 *   small indexes of their own (the annual return's "support overlaps the year", the length of stay);
 *   live jobs one for the pipeline (completed jobs outnumber them a hundred to one).
 */
export class ReportsIndexes1764720000000 implements MigrationInterface {
  name = 'ReportsIndexes1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX ix_cases_scheme_referral;
      CREATE INDEX ix_cases_scheme_referral ON cases (scheme_id, referral_date) INCLUDE (tenure);

      DROP INDEX ix_cases_scheme_installed;
      CREATE INDEX ix_cases_scheme_installed ON cases (scheme_id, installed_at)
        INCLUDE (tenure, contractor_id, referral_date, support_ended_at)
        WHERE installed_at IS NOT NULL;

      DROP INDEX ix_cases_scheme_status;
      CREATE INDEX ix_cases_scheme_status ON cases (scheme_id, status, status_changed_at)
        INCLUDE (tenure, outcome_reason, overdue);

      CREATE INDEX ix_cases_scheme_support_ended ON cases (scheme_id, support_ended_at)
        WHERE support_ended_at IS NOT NULL;

      CREATE INDEX ix_cases_scheme_in_support ON cases (scheme_id, installed_at)
        WHERE installed_at IS NOT NULL AND support_ended_at IS NULL;

      CREATE INDEX ix_cases_scheme_resumed ON cases (scheme_id, installed_at)
        INCLUDE (tenure, contractor_id, person_hash)
        WHERE installed_at IS NOT NULL
          AND (resumed_relationship OR outcome_reasons && '{resumed_relationship,moved_in_with_perpetrator}'::text[]);

      CREATE INDEX ix_jobs_scheme_live ON jobs (scheme_id, status) WHERE status IN ('offered', 'accepted');
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX ix_jobs_scheme_live, ix_cases_scheme_resumed, ix_cases_scheme_in_support,
        ix_cases_scheme_support_ended, ix_cases_scheme_status, ix_cases_scheme_installed, ix_cases_scheme_referral;
      CREATE INDEX ix_cases_scheme_status ON cases (scheme_id, status);
      CREATE INDEX ix_cases_scheme_referral ON cases (scheme_id, referral_date);
      CREATE INDEX ix_cases_scheme_installed ON cases (scheme_id, installed_at) WHERE installed_at IS NOT NULL;
    `);
  }
}
