// The target-hardening query as it was before the monthly totals (commit 4ecd449): every fact read
// from the cases on each request and grouped in one statement. Kept as the reference the new
// implementation must match figure for figure (test/target-hardening-months.e2e-spec.ts).
import type { DataSource } from 'typeorm';
import { UNSUCCESSFUL_REASONS } from '../../src/reports/report-codes.js';
import { REPORT_TIME_ZONE } from '../../src/reports/report-math.js';
import type { PeriodBounds, TargetHardeningRow } from '../../src/reports/reports.repository.js';

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function read(ds: DataSource, sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  return ds.transaction(async (m) => {
    await m.query('SET TRANSACTION READ ONLY');
    await m.query('SET LOCAL jit = off');
    await m.query(`SET LOCAL work_mem = '64MB'`);
    return m.query(sql, params);
  });
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

/**
 * The breakdowns of the target-hardening report, with the GROUPING(q, tenure, contractor_id) value
 * each produces (bits: 4 = quarter, 2 = tenure, 1 = contractor rolled up).
 */
const BREAKDOWNS: { keys: ('q' | 'tenure' | 'contractor_id')[]; g: number }[] = [
  { keys: ['q'], g: 3 },
  { keys: [], g: 7 },
  { keys: ['q', 'tenure'], g: 1 },
  { keys: ['tenure'], g: 5 },
  { keys: ['q', 'contractor_id'], g: 2 },
  { keys: ['contractor_id'], g: 6 },
];
const BREAKDOWN_TYPES = { q: 'date', tenure: 'text', contractor_id: 'uuid' } as const;

export async function referenceTargetHardening(
  ds: DataSource,
  schemeId: string,
  p: PeriodBounds,
): Promise<TargetHardeningRow[]> {
  const [landlord, consent, cannotFit] = UNSUCCESSFUL_REASONS;
  const stats = histogramStatsSql('h.days');
  const sets = (extra: string[] = []) =>
    BREAKDOWNS.map((k) => `(${[...k.keys, ...extra].map((c) => `b.${c}`).join(', ')})`).join(', ');
  const resumedBySet = BREAKDOWNS.map((k) => {
    const cols = (['q', 'tenure', 'contractor_id'] as const).map((c) =>
      k.keys.includes(c) ? `x.${c}` : `NULL::${BREAKDOWN_TYPES[c]} AS ${c}`,
    );
    const group = k.keys.length ? `GROUP BY ${k.keys.map((c) => `x.${c}`).join(', ')}` : '';
    return `SELECT ${cols.join(', ')}, ${k.g} AS g, count(*) AS resumed
            FROM (SELECT DISTINCT ${[...k.keys, 'person_hash'].join(', ')} FROM resumed) x ${group}`;
  }).join('\n        UNION ALL ');
  const rows = await read(
    ds,
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
      SELECT c.status, (c.status_changed_at AT TIME ZONE $6)::date, c.tenure, NULL, c.outcome_reason, NULL
      FROM cases c
      WHERE c.scheme_id = $1 AND c.status IN ('cancelled', 'unsuccessful')
        AND c.status_changed_at >= $4 AND c.status_changed_at < $5
    ),
    base AS MATERIALIZED (
      -- Financial quarters coincide with calendar quarters (Q1 = April–June = calendar Q2).
      SELECT f.kind, date_trunc('quarter', f.on_date::timestamp)::date AS q, f.tenure, f.contractor_id,
             f.reason, f.days, count(*) AS n
      FROM facts f
      GROUP BY 1, 2, 3, 4, 5, 6
    ),
    resumed AS MATERIALIZED (
      -- Installed service users who later resumed the relationship: a review said so, or support
      -- ended because of it.
      SELECT DISTINCT date_trunc('quarter', (c.installed_at AT TIME ZONE $6)::date::timestamp)::date AS q,
             c.tenure, c.contractor_id, c.person_hash
      FROM cases c
      WHERE c.scheme_id = $1 AND c.installed_at >= $4 AND c.installed_at < $5 AND c.installed_at IS NOT NULL
        AND (c.resumed_relationship OR c.outcome_reasons && '{resumed_relationship,moved_in_with_perpetrator}'::text[])
    ),
    counts AS (
      SELECT b.q, b.tenure, b.contractor_id, GROUPING(b.q, b.tenure, b.contractor_id) AS g,
             sum(b.n) FILTER (WHERE b.kind = 'referral') AS referrals,
             sum(b.n) FILTER (WHERE b.kind = 'installation') AS installations,
             sum(b.n) FILTER (WHERE b.kind = 'cancelled') AS cancelled,
             sum(b.n) FILTER (WHERE b.kind = 'unsuccessful' AND b.reason = $7) AS landlord_refusal,
             sum(b.n) FILTER (WHERE b.kind = 'unsuccessful' AND b.reason = $8) AS consent_timeout,
             sum(b.n) FILTER (WHERE b.kind = 'unsuccessful' AND b.reason = $9) AS cannot_fit,
             sum(b.n) FILTER (WHERE b.kind = 'unsuccessful' AND b.reason IS DISTINCT FROM $7
                                AND b.reason IS DISTINCT FROM $8 AND b.reason IS DISTINCT FROM $9) AS unsuccessful_other
      FROM base b
      GROUP BY GROUPING SETS (${sets()})
    ),
    resumed_counts AS (
      ${resumedBySet}
    ),
    days_hist AS (
      SELECT b.q, b.tenure, b.contractor_id, GROUPING(b.q, b.tenure, b.contractor_id) AS g, b.days, sum(b.n) AS n
      FROM base b
      WHERE b.kind = 'installation'
      GROUP BY GROUPING SETS (${sets(['days'])})
    ),
    days_stats AS (
      SELECT h.g, h.q, h.tenure, h.contractor_id, ${stats.median} AS median_days, ${stats.p90} AS p90_days
      FROM (
        SELECT d.*, (sum(d.n) OVER (PARTITION BY d.g, d.q, d.tenure, d.contractor_id ORDER BY d.days))::bigint AS cum,
               (sum(d.n) OVER (PARTITION BY d.g, d.q, d.tenure, d.contractor_id))::bigint AS total
        FROM days_hist d
      ) h
      GROUP BY h.g, h.q, h.tenure, h.contractor_id
    )
    SELECT c.*, c.q::text AS quarter_key, s.median_days, s.p90_days, r.resumed, k.name AS contractor_name
    FROM counts c
    LEFT JOIN days_stats s ON s.g = c.g AND s.q IS NOT DISTINCT FROM c.q AND s.tenure IS NOT DISTINCT FROM c.tenure
                           AND s.contractor_id IS NOT DISTINCT FROM c.contractor_id
    LEFT JOIN resumed_counts r ON r.g = c.g AND r.q IS NOT DISTINCT FROM c.q AND r.tenure IS NOT DISTINCT FROM c.tenure
                               AND r.contractor_id IS NOT DISTINCT FROM c.contractor_id
    LEFT JOIN contractors k ON k.id = c.contractor_id
    -- Contractor rows only exist for installations; the other facts carry no contractor.
    WHERE (c.g & 1) = 1 OR c.installations > 0
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
