// Names the report queries. Each report is one set-based statement over the scheme's rows (one
// snapshot, no case ever loaded into Node), grouped in PostgreSQL; the service only shapes the rows.
//
// Time rules shared by every query:
// - "when it happened" is the stored occurredAt of the event (installed_at, support_ended_at,
//   status_changed_at) or the referral date, never when it was recorded — so backdated events land
//   in the period they happened in;
// - periods are UK calendar dates: bounds arrive as the instants London's days begin (so range
//   predicates use the indexes) and dates are read with AT TIME ZONE 'Europe/London'.
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { londonStartOfDay } from '../common/working-days.js';
import {
  DECLINE_REASONS,
  EXIT_REASONS,
  OPEN_STAGES,
  RECORDED_CHARACTERISTICS,
  SUPPORT_TYPES,
} from './report-codes.js';
import { addDays, REPORT_TIME_ZONE } from './report-math.js';
import {
  cellsFromFacts,
  type LiveFactRow,
  type MonthCell,
  type MonthSplit,
  type ResumedRow,
} from './target-hardening-cells.js';

export type { TargetHardeningRow } from './target-hardening-cells.js';

/** Bounds of a period: from..to as dates, and the instants London's first day begins and the day after the last begins. */
export interface PeriodBounds {
  from: string;
  to: string;
  startsAt: Date;
  endsBefore: Date;
}

export interface PipelineRow {
  section: 'stage' | 'approval' | 'job';
  key: string;
  count: number;
  overdue: number;
  escalated: number;
  medianDays: number | null;
  oldestDays: number | null;
}

export interface LengthOfStayRow {
  /** null on the total row */
  months: number | null;
  count: number;
  stillInSupport: number;
  medianMonths: number | null;
}

export interface AnnualReturnRow {
  section: string;
  key: string;
  value: number | null;
}

/**
 * Whole calendar months from date `s` to date `e` by the product's rule (common/months.ts
 * wholeMonths): the months between them, less one when e's day of the month comes before s's;
 * never negative. Written with date_part (double precision) rather than age() or extract()
 * (numeric), which cost several times more per row over hundreds of thousands of stays.
 */
export function wholeMonthsSql(s: string, e: string): string {
  return `GREATEST(0, (date_part('year', ${e}) - date_part('year', ${s}))::int * 12
    + (date_part('month', ${e}) - date_part('month', ${s}))::int
    - CASE WHEN date_part('day', ${e}) < date_part('day', ${s}) THEN 1 ELSE 0 END)`;
}

/**
 * The median and the nearest-rank p90 of a histogram, from its running count `cum` and its `total`
 * (both bigint, so the divisions are whole): the same figures as percentile_cont(0.5) and
 * percentile_disc(0.9), without sorting every underlying row.
 */
function histogramStatsSql(
  v: string,
  cum = 'cum',
  total = 'total',
): { median: string; p90: string } {
  return {
    median: `(min(${v}) FILTER (WHERE ${cum} >= (${total} + 1) / 2) + min(${v}) FILTER (WHERE ${cum} >= ${total} / 2 + 1)) / 2.0`,
    p90: `min(${v}) FILTER (WHERE ${cum} >= (9 * ${total} + 9) / 10)`,
  };
}

/** The breakdowns of the target-hardening report: per quarter and in total, overall, by tenure, by contractor. */
const BREAKDOWNS: ('q' | 'tenure' | 'contractor_id')[][] = [
  ['q'],
  [],
  ['q', 'tenure'],
  ['tenure'],
  ['q', 'contractor_id'],
  ['contractor_id'],
];

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

@Injectable()
export class ReportsRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Runs one report statement in a read-only transaction, tuned for it (measured in the bench):
   * JIT off, because the planner's row estimates for unnest() and CTEs push these statements past
   * jit_above_cost and compiling them then takes seconds for work that runs in milliseconds; and
   * enough work_mem for their sorts and hash tables to stay in memory.
   */
  private read(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    return this.snapshot((m) => m.query(sql, params));
  }

  /** Runs a report's statements on one snapshot (REPEATABLE READ, read only), tuned as above. */
  private snapshot<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction('REPEATABLE READ', async (m) => {
      await m.query('SET TRANSACTION READ ONLY');
      await m.query('SET LOCAL jit = off');
      await m.query(`SET LOCAL work_mem = '64MB'`);
      return fn(m);
    });
  }

  /** Open cases by stage with age in stage (London calendar days), and overdue approvals and jobs. */
  async pipeline(schemeId: string, now: Date, today: string): Promise<PipelineRow[]> {
    const rows = await this.read(
      `
      WITH open_cases AS (
        SELECT c.status, c.overdue,
               GREATEST(0, $3::date - (c.status_changed_at AT TIME ZONE $4)::date) AS age_days
        FROM cases c
        WHERE c.scheme_id = $1 AND c.status = ANY($5::text[])
      )
      SELECT 'stage' AS section, status AS key, count(*) AS count,
             count(*) FILTER (WHERE overdue) AS overdue, 0 AS escalated,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY age_days) AS median_days,
             max(age_days) AS oldest_days
      FROM open_cases GROUP BY status
      UNION ALL
      SELECT 'approval', a.kind, count(*),
             count(*) FILTER (WHERE a.due_at < $2),
             count(*) FILTER (WHERE a.due_at < $2 AND a.escalated_at IS NOT NULL),
             NULL, NULL
      FROM approvals a
      WHERE a.scheme_id = $1 AND a.status = 'pending'
      GROUP BY a.kind
      UNION ALL
      SELECT 'job', j.status, count(*),
             count(*) FILTER (WHERE (j.status = 'offered' AND j.confirm_by < $2)
                                 OR (j.status = 'accepted' AND j.scheduled_for + interval '1 day' < $2)),
             count(*) FILTER (WHERE j.escalated_at IS NOT NULL
                                AND ((j.status = 'offered' AND j.confirm_by < $2)
                                  OR (j.status = 'accepted' AND j.scheduled_for + interval '1 day' < $2))),
             NULL, NULL
      FROM jobs j
      WHERE j.scheme_id = $1 AND j.status IN ('offered', 'accepted')
      GROUP BY j.status
      `,
      [schemeId, now.toISOString(), today, REPORT_TIME_ZONE, OPEN_STAGES],
    );
    return rows.map((r) => ({
      section: r.section as PipelineRow['section'],
      key: String(r.key),
      count: num(r.count),
      overdue: num(r.overdue),
      escalated: num(r.escalated),
      medianDays: numOrNull(r.median_days),
      oldestDays: numOrNull(r.oldest_days),
    }));
  }

  /**
   * What the target-hardening report counts in a period, read in one snapshot: the whole months
   * from target_hardening_months (kept exact by a trigger on cases; see its migration), the partial
   * months at either end live from the cases, the people who resumed the relationship, and the
   * names of the contractors that appear. The service adds them up (target-hardening-cells.ts).
   */
  async targetHardeningCells(
    schemeId: string,
    p: PeriodBounds,
    split: MonthSplit,
  ): Promise<{
    cells: MonthCell[];
    resumed: ResumedRow[];
    contractorNames: Map<string, string>;
  }> {
    return this.snapshot(async (m) => {
      const cells: MonthCell[] = [];
      if (split.months) {
        const rows: Record<string, unknown>[] = await m.query(
          `SELECT t.month::text AS month, t.by_contractor, t.tenure, t.contractor_id, t.referrals, t.installations,
                  t.cancelled, t.unsuccessful, t.days
           FROM target_hardening_months t
           WHERE t.scheme_id = $1 AND t.month >= $2::date AND t.month < $3::date`,
          [schemeId, split.months.from, split.months.before],
        );
        for (const r of rows) {
          cells.push({
            month: String(r.month),
            byContractor: r.by_contractor === true,
            tenure: (r.tenure as string | null) ?? null,
            contractorId: (r.contractor_id as string | null) ?? null,
            referrals: num(r.referrals),
            installations: num(r.installations),
            cancelled: num(r.cancelled),
            unsuccessful: r.unsuccessful as Record<string, number>,
            days: r.days as Record<string, number>,
          });
        }
      }
      for (const range of split.live) {
        cells.push(...cellsFromFacts(await this.targetHardeningFacts(m, schemeId, range)));
      }
      const resumed = await this.resumedRelationship(m, schemeId, p);
      const ids = [
        ...new Set(
          cells.filter((c) => c.byContractor && c.contractorId).map((c) => c.contractorId),
        ),
      ];
      const names: { id: string; name: string }[] = ids.length
        ? await m.query(`SELECT k.id, k.name FROM contractors k WHERE k.id = ANY($1::uuid[])`, [
            ids,
          ])
        : [];
      return { cells, resumed, contractorNames: new Map(names.map((k) => [k.id, k.name])) };
    });
  }

  /**
   * The target-hardening facts of a range of days, live from the cases, grouped by London month:
   * referrals (by referral date), installations (by installed_at, with the days from referral),
   * cases now cancelled or unsuccessful (by when they entered that status). Each comes from an
   * index-only range scan.
   */
  private async targetHardeningFacts(
    m: EntityManager,
    schemeId: string,
    range: { from: string; to: string },
  ): Promise<LiveFactRow[]> {
    const rows: Record<string, unknown>[] = await m.query(
      `
      WITH facts AS (
        SELECT 'referral' AS kind, c.referral_date AS on_date, c.tenure,
               NULL::uuid AS contractor_id, NULL::text AS reason, NULL::int AS days
        FROM cases c
        WHERE c.scheme_id = $1 AND c.referral_date BETWEEN $2::date AND $3::date
        UNION ALL
        SELECT 'installation', d.installed_on, c.tenure, c.contractor_id, NULL, d.installed_on - c.referral_date
        FROM cases c
        CROSS JOIN LATERAL (SELECT (c.installed_at AT TIME ZONE $6)::date AS installed_on) d
        WHERE c.scheme_id = $1 AND c.installed_at >= $4 AND c.installed_at < $5
        UNION ALL
        SELECT c.status, (c.status_changed_at AT TIME ZONE $6)::date, c.tenure, NULL,
               CASE WHEN c.status = 'unsuccessful' THEN COALESCE(c.outcome_reason, '') END, NULL
        FROM cases c
        WHERE c.scheme_id = $1 AND c.status IN ('cancelled', 'unsuccessful')
          AND c.status_changed_at >= $4 AND c.status_changed_at < $5
      )
      SELECT f.kind, date_trunc('month', f.on_date::timestamp)::date::text AS month, f.tenure, f.contractor_id,
             f.reason, f.days, count(*) AS n
      FROM facts f
      GROUP BY 1, 2, 3, 4, 5, 6
      `,
      [
        schemeId,
        range.from,
        range.to,
        londonStartOfDay(range.from).toISOString(),
        londonStartOfDay(addDays(range.to, 1)).toISOString(),
        REPORT_TIME_ZONE,
      ],
    );
    return rows.map((r) => ({
      kind: r.kind as LiveFactRow['kind'],
      month: String(r.month),
      tenure: String(r.tenure),
      contractorId: (r.contractor_id as string | null) ?? null,
      reason: (r.reason as string | null) ?? null,
      days: numOrNull(r.days),
      n: num(r.n),
    }));
  }

  /**
   * Installed service users who later resumed the relationship (a review said so, or support ended
   * because of it), counted once each per quarter and in total, overall, by tenure and by
   * contractor. Most people have one such installation and count once per row; only the few with
   * several are de-duplicated (by DISTINCT), so no breakdown needs a pass over everyone.
   */
  private async resumedRelationship(
    m: EntityManager,
    schemeId: string,
    p: PeriodBounds,
  ): Promise<ResumedRow[]> {
    const sets = BREAKDOWNS.map((k) => `(${k.map((c) => `r.${c}`).join(', ')})`).join(', ');
    const rows: Record<string, unknown>[] = await m.query(
      `
      WITH resumed AS MATERIALIZED (
        SELECT date_trunc('quarter', (c.installed_at AT TIME ZONE $4)::date::timestamp)::date AS q,
               c.tenure, c.contractor_id, c.person_hash
        FROM cases c
        WHERE c.scheme_id = $1 AND c.installed_at >= $2 AND c.installed_at < $3 AND c.installed_at IS NOT NULL
          AND (c.resumed_relationship OR c.outcome_reasons && '{resumed_relationship,moved_in_with_perpetrator}'::text[])
      ),
      repeated AS MATERIALIZED (
        SELECT r.person_hash FROM resumed r GROUP BY r.person_hash HAVING count(*) > 1
      ),
      counted AS (
        SELECT r.q, r.tenure, r.contractor_id, GROUPING(r.q, r.tenure, r.contractor_id) AS g, count(*) AS n
        FROM resumed r
        WHERE NOT EXISTS (SELECT 1 FROM repeated x WHERE x.person_hash = r.person_hash)
        GROUP BY GROUPING SETS (${sets})
        UNION ALL
        SELECT r.q, r.tenure, r.contractor_id, GROUPING(r.q, r.tenure, r.contractor_id), count(DISTINCT r.person_hash)
        FROM resumed r
        WHERE EXISTS (SELECT 1 FROM repeated x WHERE x.person_hash = r.person_hash)
        GROUP BY GROUPING SETS (${sets})
      )
      SELECT c.g, c.q::text AS quarter_start, c.tenure, c.contractor_id, sum(c.n) AS resumed
      FROM counted c
      GROUP BY c.g, c.q, c.tenure, c.contractor_id
      HAVING sum(c.n) > 0
      `,
      [schemeId, p.startsAt.toISOString(), p.endsBefore.toISOString(), REPORT_TIME_ZONE],
    );
    return rows.map((r) => ({
      g: Number(r.g),
      quarterStart: (r.quarter_start as string | null) ?? null,
      tenure: (r.tenure as string | null) ?? null,
      contractorId: (r.contractor_id as string | null) ?? null,
      resumed: num(r.resumed),
    }));
  }

  /**
   * Stays of the cases installed in the period: whole months from the installation date to the date
   * support ended, or to today while support goes on. Computed from the cases themselves (not the
   * length_of_stay table the nightly job fills) so the figure is right the moment a case changes.
   * The cases are folded into a months histogram first; the median is read off the histogram.
   */
  async lengthOfStay(schemeId: string, p: PeriodBounds, today: string): Promise<LengthOfStayRow[]> {
    const stats = histogramStatsSql('h.months');
    const rows = await this.read(
      `
      WITH stays AS (
        -- OFFSET 0 keeps the dates computed once per case rather than copied into every use below.
        SELECT (c.installed_at AT TIME ZONE $5)::date AS s,
               COALESCE((c.support_ended_at AT TIME ZONE $5)::date, $4::date) AS e,
               c.support_ended_at IS NULL AS ongoing
        FROM cases c
        WHERE c.scheme_id = $1 AND c.installed_at >= $2 AND c.installed_at < $3
        OFFSET 0
      ),
      hist AS (
        SELECT ${wholeMonthsSql('d.s', 'd.e')} AS months, count(*) AS n, count(*) FILTER (WHERE d.ongoing) AS ongoing
        FROM stays d
        GROUP BY 1
      ),
      h AS (
        SELECT hist.*, (sum(n) OVER (ORDER BY months))::bigint AS cum, (sum(n) OVER ())::bigint AS total FROM hist
      )
      SELECT months, n AS count, ongoing AS still_in_support, NULL::numeric AS median_months FROM h
      UNION ALL
      SELECT NULL, sum(n), sum(ongoing), ${stats.median} FROM h
      ORDER BY months NULLS FIRST
      `,
      [schemeId, p.startsAt.toISOString(), p.endsBefore.toISOString(), today, REPORT_TIME_ZONE],
    );
    return rows.map((r) => ({
      months: numOrNull(r.months),
      count: num(r.count),
      stillInSupport: num(r.still_in_support),
      medianMonths: numOrNull(r.median_months),
    }));
  }

  /**
   * The sanctuary section of the national return for one financial year, as (section, key, value)
   * rows. People are counted once by person_hash: demographics come from their latest case
   * supported in the year; characteristics and support types from any of those cases (folded into
   * bit masks per person by one hash aggregate).
   */
  async annualReturn(schemeId: string, p: PeriodBounds): Promise<AnnualReturnRow[]> {
    const mask = (column: string, codes: readonly string[]) =>
      codes
        .map((code, i) => `CASE WHEN '${code}' = ANY(${column}) THEN ${1 << i} ELSE 0 END`)
        .join(' | ');
    const supportedCols = `c.id, c.person_hash, c.gender, c.age_at_referral, c.household_children, c.characteristics,
                           c.support_types, c.referral_date, c.created_at, c.support_ended_at`;
    const bit = (codes: readonly string[], code: string) => 1 << codes.indexOf(code);
    const perPerson = [
      `('households', '', pc.households)`,
      `('children', '', pc.children)`,
      `('continuing', '', pc.continuing)`,
      ...['male', 'aged_16_25', 'aged_65_plus', ...RECORDED_CHARACTERISTICS].map(
        (code) => `('characteristic', '${code}', pc.ch_${code})`,
      ),
      ...SUPPORT_TYPES.map((code) => `('support_type', '${code}', pc.st_${code})`),
    ].join(',\n            ');
    const rows = await this.read(
      `
      WITH supported AS MATERIALIZED (
        -- A support period (installation .. end of support, or ongoing) that overlaps the year, as
        -- three disjoint index range scans: installed in the year; installed before it and ended in
        -- or after it; installed before it and still in support.
        SELECT ${supportedCols} FROM cases c
        WHERE c.scheme_id = $1 AND c.installed_at >= $2 AND c.installed_at < $3
        UNION ALL
        SELECT ${supportedCols} FROM cases c
        WHERE c.scheme_id = $1 AND c.support_ended_at >= $2 AND c.installed_at < $2
        UNION ALL
        SELECT ${supportedCols} FROM cases c
        WHERE c.scheme_id = $1 AND c.installed_at < $2 AND c.installed_at IS NOT NULL AND c.support_ended_at IS NULL
      ),
      person AS MATERIALIZED (
        -- One row per person, in one sort: demographics from their latest case; characteristics and
        -- support types from any of their cases (bit masks OR-ed over the person's cases).
        -- person_hash is an opaque key, so byte order (COLLATE "C") serves and sorts fastest.
        SELECT DISTINCT ON (s.person_hash COLLATE "C")
               s.gender, s.age_at_referral AS age, s.household_children AS children,
               bit_or(s.chars) OVER w AS chars, bit_or(s.types) OVER w AS types,
               bool_or(s.gender = 'trans_or_non_binary') OVER w AS trans,
               bool_or(s.continuing) OVER w AS continuing
        FROM (
          -- Codes folded into bit masks before the sort, so it moves narrow rows.
          SELECT x.id, x.person_hash, x.gender, x.age_at_referral, x.household_children, x.referral_date, x.created_at,
                 (${mask('x.characteristics', RECORDED_CHARACTERISTICS)}) AS chars,
                 (${mask('x.support_types', SUPPORT_TYPES)}) AS types,
                 (x.support_ended_at IS NULL OR x.support_ended_at >= $3) AS continuing
          FROM supported x
          OFFSET 0
        ) s
        -- The window is ordered like the DISTINCT ON, so one sort serves both.
        WINDOW w AS (PARTITION BY s.person_hash COLLATE "C" ORDER BY s.referral_date DESC, s.created_at DESC, s.id DESC
                     ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
        ORDER BY s.person_hash COLLATE "C", s.referral_date DESC, s.created_at DESC, s.id DESC
      ),
      person_counts AS (
        SELECT count(*) AS households, COALESCE(sum(children), 0) AS children,
               count(*) FILTER (WHERE continuing) AS continuing,
               count(*) FILTER (WHERE gender = 'male') AS ch_male,
               count(*) FILTER (WHERE age BETWEEN 16 AND 25) AS ch_aged_16_25,
               count(*) FILTER (WHERE age >= 65) AS ch_aged_65_plus,
               ${RECORDED_CHARACTERISTICS.map((code) =>
                 code === 'lgbtq'
                   ? // LGBTQ+ includes trans and non-binary people, whichever way it was recorded.
                     `count(*) FILTER (WHERE chars & ${bit(RECORDED_CHARACTERISTICS, code)} <> 0 OR trans) AS ch_${code}`
                   : `count(*) FILTER (WHERE chars & ${bit(RECORDED_CHARACTERISTICS, code)} <> 0) AS ch_${code}`,
               ).join(',\n               ')},
               ${SUPPORT_TYPES.map((code) => `count(*) FILTER (WHERE types & ${bit(SUPPORT_TYPES, code)} <> 0) AS st_${code}`).join(',\n               ')}
        FROM person
      ),
      declined AS MATERIALIZED (
        SELECT DISTINCT ON (c.person_hash COLLATE "C") c.person_hash, c.outcome_reasons
        FROM cases c
        WHERE c.scheme_id = $1 AND c.status = 'declined'
          AND c.status_changed_at >= $2 AND c.status_changed_at < $3
        ORDER BY c.person_hash COLLATE "C", c.status_changed_at DESC, c.id DESC
      ),
      stopped AS MATERIALIZED (
        SELECT DISTINCT ON (d.person_hash COLLATE "C") d.person_hash, d.exit_kind, d.outcome_reasons,
               ${wholeMonthsSql('d.s', 'd.e')} AS months
        FROM (
          SELECT c.id, c.person_hash, c.exit_kind, c.outcome_reasons, c.support_ended_at,
                 (c.installed_at AT TIME ZONE $4)::date AS s, (c.support_ended_at AT TIME ZONE $4)::date AS e
          FROM cases c
          WHERE c.scheme_id = $1 AND c.support_ended_at >= $2 AND c.support_ended_at < $3 AND c.status = 'closed'
          OFFSET 0
        ) d
        ORDER BY d.person_hash COLLATE "C", d.support_ended_at DESC, d.id DESC
      )
      SELECT v.section, v.key, v.value::numeric FROM person_counts pc CROSS JOIN LATERAL (VALUES
            ${perPerson}
          ) v(section, key, value)
      UNION ALL SELECT 'gender', gender, count(*) FROM person GROUP BY gender
      UNION ALL SELECT 'age_band',
          CASE WHEN age < 16 THEN 'under16' WHEN age <= 25 THEN 'aged16to25' WHEN age <= 35 THEN 'aged26to35'
               WHEN age <= 45 THEN 'aged36to45' WHEN age <= 55 THEN 'aged46to55' WHEN age <= 64 THEN 'aged56to64'
               ELSE 'aged65plus' END,
          count(*)
        FROM person GROUP BY 2
      UNION ALL SELECT 'declined', '', count(*) FROM declined
      UNION ALL SELECT 'declined_reason', r, count(*) FROM (
          SELECT DISTINCT person_hash, CASE WHEN r = ANY($5::text[]) THEN r ELSE 'other' END AS r
          FROM declined CROSS JOIN LATERAL unnest(outcome_reasons) r) x
        GROUP BY r
      UNION ALL SELECT 'stopped', '', count(*) FROM stopped
      UNION ALL SELECT 'exit_kind', COALESCE(exit_kind, 'not_recorded'), count(*) FROM stopped GROUP BY 2
      UNION ALL SELECT 'exit_reason', r, count(*) FROM (
          SELECT DISTINCT person_hash, CASE WHEN r = ANY($6::text[]) THEN r ELSE 'other' END AS r
          FROM stopped CROSS JOIN LATERAL unnest(outcome_reasons) r) x
        GROUP BY r
      UNION ALL SELECT 'stay_months', months::text, count(*) FROM stopped GROUP BY months
      UNION ALL SELECT 'stay_median', '', percentile_cont(0.5) WITHIN GROUP (ORDER BY months) FROM stopped
      `,
      [
        schemeId,
        p.startsAt.toISOString(),
        p.endsBefore.toISOString(),
        REPORT_TIME_ZONE,
        DECLINE_REASONS,
        EXIT_REASONS,
      ],
    );
    return rows.map((r) => ({
      section: String(r.section),
      key: String(r.key ?? ''),
      value: numOrNull(r.value),
    }));
  }
}
