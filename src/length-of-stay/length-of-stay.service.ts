// Length of stay after installation, in whole months, for every installed case: to the end of
// support, or to today while support goes on (a sanctuary place ends when support ends, not when
// the measures are removed). Incremental: only cases whose row changed (version) or whose open
// measurement is from an earlier day are recomputed. Set-based: one statement, no rows in Node.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { wholeMonthsSql } from '../common/months.js';
import { londonDate } from '../common/working-days.js';

@Injectable()
export class LengthOfStayService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Measures what changed; returns how many cases were (re)measured. */
  async measure(schemeId?: string): Promise<number> {
    const today = londonDate(this.clock.now());
    const installed = `(c.installed_at AT TIME ZONE 'Europe/London')::date`;
    const end = `COALESCE((c.support_ended_at AT TIME ZONE 'Europe/London')::date, $1::date)`;
    const rows = await this.ds.query(
      `INSERT INTO length_of_stay AS l (case_id, scheme_id, installed_at, ended_at, months, still_in_support, measured_on, case_version)
       SELECT c.id, c.scheme_id, c.installed_at, c.support_ended_at, ${wholeMonthsSql(installed, end)},
              c.support_ended_at IS NULL, $1::date, c.version
       FROM cases c LEFT JOIN length_of_stay x ON x.case_id = c.id
       WHERE c.installed_at IS NOT NULL AND ($2::uuid IS NULL OR c.scheme_id = $2)
         AND (x.case_id IS NULL OR x.case_version <> c.version OR (x.still_in_support AND x.measured_on <> $1::date))
       ON CONFLICT (case_id) DO UPDATE SET installed_at = EXCLUDED.installed_at, ended_at = EXCLUDED.ended_at,
         months = EXCLUDED.months, still_in_support = EXCLUDED.still_in_support, measured_on = EXCLUDED.measured_on,
         case_version = EXCLUDED.case_version
       RETURNING case_id`,
      [today, schemeId ?? null],
    );
    return rows.length;
  }
}
