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
import { DataSource } from 'typeorm';
import {
  DECLINE_REASONS,
  EXIT_REASONS,
  OPEN_STAGES,
  UNSUCCESSFUL_REASONS,
} from './report-codes.js';
import { REPORT_TIME_ZONE } from './report-math.js';

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

export interface TargetHardeningRow {
  /** null on the rows that total over quarters */
  quarterStart: string | null;
  /** which breakdown the row belongs to */
  breakdown: 'all' | 'tenure' | 'contractor';
  tenure: string | null;
  contractorId: string | null;
  contractorName: string | null;
  referrals: number;
  installations: number;
  cancelled: number;
  landlordRefusal: number;
  consentTimeout: number;
  cannotFit: number;
  unsuccessfulOther: number;
  medianDays: number | null;
  p90Days: number | null;
  resumedRelationship: number;
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
 * Whole calendar months from date `s` to date `e` (s + n months ≤ e, month ends clamped as in
 * PostgreSQL's date + interval; never negative). The same rule as report-math wholeMonthsBetween.
 * Used inside a LATERAL so n0 is computed once.
 */
export function wholeMonthsSql(s: string, e: string): string {
  const n0 = `((extract(year from ${e})::int - extract(year from ${s})::int) * 12 + extract(month from ${e})::int - extract(month from ${s})::int)`;
  return `GREATEST(0, ${n0} - CASE WHEN (${s} + make_interval(months => ${n0}))::date > ${e} THEN 1 ELSE 0 END)`;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

@Injectable()
export class ReportsRepository {
  constructor(private readonly ds: DataSource) {}

  /** Open cases by stage with age in stage (London calendar days), and overdue approvals and jobs. */
  async pipeline(schemeId: string, now: Date, today: string): Promise<PipelineRow[]> {
    const rows: Record<string, unknown>[] = await this.ds.query(
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
   * Referrals (by referral date), installations (by installed_at), cancellations and unsuccessful
   * cases (by when the case entered that status) in the period, per financial quarter and in total,
   * each also by tenure and by contractor.
   */
  async targetHardening(schemeId: string, p: PeriodBounds): Promise<TargetHardeningRow[]> {
    const [landlord, consent, cannotFit] = UNSUCCESSFUL_REASONS;
    const rows: Record<string, unknown>[] = await this.ds.query(
      `
      WITH facts AS (
        SELECT 'referral' AS kind, c.referral_date AS on_date, c.tenure,
               NULL::uuid AS contractor_id, NULL::text AS reason, NULL::int AS days,
               NULL::text AS person_hash, false AS resumed
        FROM cases c
        WHERE c.scheme_id = $1 AND c.referral_date BETWEEN $2::date AND $3::date
        UNION ALL
        SELECT 'installation', d.installed_on, c.tenure, c.contractor_id, NULL,
               d.installed_on - c.referral_date, c.person_hash,
               c.resumed_relationship OR c.outcome_reasons && ARRAY['resumed_relationship', 'moved_in_with_perpetrator']
        FROM cases c
        CROSS JOIN LATERAL (SELECT (c.installed_at AT TIME ZONE $6)::date AS installed_on) d
        WHERE c.scheme_id = $1 AND c.installed_at >= $4 AND c.installed_at < $5
        UNION ALL
        SELECT c.status, (c.status_changed_at AT TIME ZONE $6)::date, c.tenure, NULL, c.outcome_reason,
               NULL, NULL, false
        FROM cases c
        WHERE c.scheme_id = $1 AND c.status IN ('cancelled', 'unsuccessful')
          AND c.status_changed_at >= $4 AND c.status_changed_at < $5
      ),
      dated AS (
        -- Financial quarters coincide with calendar quarters (Q1 = April–June = calendar Q2).
        SELECT f.*, date_trunc('quarter', f.on_date::timestamp)::date AS quarter_start FROM facts f
      ),
      grouped AS (
        SELECT f.quarter_start, f.tenure, f.contractor_id,
               GROUPING(f.quarter_start, f.tenure, f.contractor_id) AS g,
               count(*) FILTER (WHERE f.kind = 'referral') AS referrals,
               count(*) FILTER (WHERE f.kind = 'installation') AS installations,
               count(*) FILTER (WHERE f.kind = 'cancelled') AS cancelled,
               count(*) FILTER (WHERE f.kind = 'unsuccessful' AND f.reason = $7) AS landlord_refusal,
               count(*) FILTER (WHERE f.kind = 'unsuccessful' AND f.reason = $8) AS consent_timeout,
               count(*) FILTER (WHERE f.kind = 'unsuccessful' AND f.reason = $9) AS cannot_fit,
               count(*) FILTER (WHERE f.kind = 'unsuccessful' AND f.reason IS DISTINCT FROM $7
                                  AND f.reason IS DISTINCT FROM $8 AND f.reason IS DISTINCT FROM $9) AS unsuccessful_other,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.days) AS median_days,
               percentile_disc(0.9) WITHIN GROUP (ORDER BY f.days) AS p90_days,
               count(DISTINCT f.person_hash) FILTER (WHERE f.resumed) AS resumed
        FROM dated f
        GROUP BY GROUPING SETS (
          (f.quarter_start), (),
          (f.quarter_start, f.tenure), (f.tenure),
          (f.quarter_start, f.contractor_id), (f.contractor_id)
        )
      )
      SELECT g.*, g.quarter_start::text AS quarter_key, k.name AS contractor_name
      FROM grouped g
      LEFT JOIN contractors k ON k.id = g.contractor_id
      -- Contractor rows only exist for installations; the other facts carry no contractor.
      WHERE (g.g & 1) = 1 OR g.installations > 0
      `,
      [
        schemeId,
        p.from,
        p.to,
        p.startsAt.toISOString(),
        p.endsBefore.toISOString(),
        REPORT_TIME_ZONE,
        landlord,
        consent,
        cannotFit,
      ],
    );
    return rows.map((r) => {
      // GROUPING bits: 4 = quarter rolled up, 2 = tenure rolled up, 1 = contractor rolled up.
      const g = Number(r.g);
      const breakdown: TargetHardeningRow['breakdown'] =
        (g & 2) === 0 ? 'tenure' : (g & 1) === 0 ? 'contractor' : 'all';
      return {
        quarterStart: (g & 4) === 0 ? String(r.quarter_key) : null,
        breakdown,
        tenure: breakdown === 'tenure' ? String(r.tenure) : null,
        contractorId:
          breakdown === 'contractor' ? ((r.contractor_id as string | null) ?? null) : null,
        contractorName:
          breakdown === 'contractor' ? ((r.contractor_name as string | null) ?? null) : null,
        referrals: num(r.referrals),
        installations: num(r.installations),
        cancelled: num(r.cancelled),
        landlordRefusal: num(r.landlord_refusal),
        consentTimeout: num(r.consent_timeout),
        cannotFit: num(r.cannot_fit),
        unsuccessfulOther: num(r.unsuccessful_other),
        medianDays: numOrNull(r.median_days),
        p90Days: numOrNull(r.p90_days),
        resumedRelationship: num(r.resumed),
      };
    });
  }

  /**
   * Stays of the cases installed in the period: whole months from the installation date to the date
   * support ended, or to today while support goes on. Computed from the cases themselves (not the
   * length_of_stay table the nightly job fills) so the figure is right the moment a case changes.
   */
  async lengthOfStay(schemeId: string, p: PeriodBounds, today: string): Promise<LengthOfStayRow[]> {
    const rows: Record<string, unknown>[] = await this.ds.query(
      `
      WITH stays AS (
        SELECT (c.support_ended_at IS NULL) AS ongoing, ${wholeMonthsSql('d.s', 'd.e')} AS months
        FROM cases c
        CROSS JOIN LATERAL (
          SELECT (c.installed_at AT TIME ZONE $5)::date AS s,
                 COALESCE((c.support_ended_at AT TIME ZONE $5)::date, $4::date) AS e
        ) d
        WHERE c.scheme_id = $1 AND c.installed_at >= $2 AND c.installed_at < $3
      )
      SELECT months, count(*) AS count, count(*) FILTER (WHERE ongoing) AS still_in_support,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY months) AS median_months
      FROM stays
      GROUP BY GROUPING SETS ((months), ())
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
   * supported in the year; characteristics and support types from any of those cases.
   */
  async annualReturn(schemeId: string, p: PeriodBounds): Promise<AnnualReturnRow[]> {
    const rows: Record<string, unknown>[] = await this.ds.query(
      `
      WITH supported AS MATERIALIZED (
        -- A support period (installation .. end of support, or ongoing) that overlaps the year,
        -- written as three index-friendly branches.
        SELECT c.id, c.person_hash, c.gender, c.age_at_referral, c.household_children,
               c.characteristics, c.support_types, c.referral_date, c.created_at, c.support_ended_at
        FROM cases c
        WHERE c.scheme_id = $1
          AND ((c.installed_at >= $2 AND c.installed_at < $3)
            OR (c.installed_at < $2 AND c.support_ended_at >= $2)
            OR (c.installed_at < $2 AND c.support_ended_at IS NULL))
      ),
      person AS MATERIALIZED (
        SELECT DISTINCT ON (s.person_hash) s.person_hash, s.gender, s.age_at_referral AS age,
               s.household_children AS children
        FROM supported s
        ORDER BY s.person_hash, s.referral_date DESC, s.created_at DESC, s.id DESC
      ),
      declined AS MATERIALIZED (
        SELECT DISTINCT ON (c.person_hash) c.person_hash, c.outcome_reasons
        FROM cases c
        WHERE c.scheme_id = $1 AND c.status = 'declined'
          AND c.status_changed_at >= $2 AND c.status_changed_at < $3
        ORDER BY c.person_hash, c.status_changed_at DESC, c.id DESC
      ),
      stopped AS MATERIALIZED (
        SELECT DISTINCT ON (c.person_hash) c.person_hash, c.exit_kind, c.outcome_reasons,
               ${wholeMonthsSql('d.s', 'd.e')} AS months
        FROM cases c
        CROSS JOIN LATERAL (
          SELECT (c.installed_at AT TIME ZONE $4)::date AS s, (c.support_ended_at AT TIME ZONE $4)::date AS e
        ) d
        WHERE c.scheme_id = $1 AND c.status = 'closed'
          AND c.support_ended_at >= $2 AND c.support_ended_at < $3
        ORDER BY c.person_hash, c.support_ended_at DESC, c.id DESC
      )
      SELECT 'households' AS section, '' AS key, count(*)::numeric AS value FROM person
      UNION ALL SELECT 'gender', gender, count(*) FROM person GROUP BY gender
      UNION ALL SELECT 'children', '', COALESCE(sum(children), 0) FROM person
      UNION ALL SELECT 'continuing', '', count(DISTINCT person_hash) FROM supported
        WHERE support_ended_at IS NULL OR support_ended_at >= $3
      UNION ALL SELECT 'age_band',
          CASE WHEN age < 16 THEN 'under16' WHEN age <= 25 THEN 'aged16to25' WHEN age <= 35 THEN 'aged26to35'
               WHEN age <= 45 THEN 'aged36to45' WHEN age <= 55 THEN 'aged46to55' WHEN age <= 64 THEN 'aged56to64'
               ELSE 'aged65plus' END,
          count(*)
        FROM person GROUP BY 2
      UNION ALL SELECT 'characteristic', ch, count(DISTINCT s.person_hash)
        FROM supported s CROSS JOIN LATERAL unnest(s.characteristics) ch
        WHERE ch <> 'lgbtq' GROUP BY ch
      -- LGBTQ+ includes trans and non-binary people, whichever way it was recorded.
      UNION ALL SELECT 'characteristic', 'lgbtq', count(*) FROM (
          SELECT person_hash FROM supported WHERE 'lgbtq' = ANY(characteristics)
          UNION SELECT person_hash FROM person WHERE gender = 'trans_or_non_binary') x
      UNION ALL SELECT 'characteristic', 'male', count(*) FROM person WHERE gender = 'male'
      UNION ALL SELECT 'characteristic', 'aged_16_25', count(*) FROM person WHERE age BETWEEN 16 AND 25
      UNION ALL SELECT 'characteristic', 'aged_65_plus', count(*) FROM person WHERE age >= 65
      UNION ALL SELECT 'support_type', t, count(DISTINCT s.person_hash)
        FROM supported s CROSS JOIN LATERAL unnest(s.support_types) t GROUP BY t
      UNION ALL SELECT 'declined', '', count(*) FROM declined
      UNION ALL SELECT 'declined_reason', CASE WHEN r = ANY($5::text[]) THEN r ELSE 'other' END, count(DISTINCT person_hash)
        FROM declined CROSS JOIN LATERAL unnest(outcome_reasons) r GROUP BY 2
      UNION ALL SELECT 'stopped', '', count(*) FROM stopped
      UNION ALL SELECT 'exit_kind', COALESCE(exit_kind, 'not_recorded'), count(*) FROM stopped GROUP BY 2
      UNION ALL SELECT 'exit_reason', CASE WHEN r = ANY($6::text[]) THEN r ELSE 'other' END, count(DISTINCT person_hash)
        FROM stopped CROSS JOIN LATERAL unnest(outcome_reasons) r GROUP BY 2
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
