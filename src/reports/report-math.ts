// The arithmetic behind the reports, kept free of Nest and TypeORM so every rule can be unit-tested
// on its own: medians and the p90, financial years and quarters, whole calendar months and the
// national return's length-of-stay bands. The SQL in reports.repository.ts applies the same rules
// set-based; reports.e2e-spec.ts checks that both agree.
import { wholeMonths } from '../common/months.js';
import { addDays, londonDate } from '../common/working-days.js';

export { addDays, londonDate };

/** Every date in a report is a UK calendar date: an install at 23:30 UTC on 30 June 2025 happened on 1 July. */
export const REPORT_TIME_ZONE = 'Europe/London';

/** Middle value; for an even count the mean of the two middle values (as PostgreSQL's percentile_cont(0.5)). */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Nearest-rank percentile: the smallest value that at least p of the values are at or below, so it
 * is always a value that occurred (as PostgreSQL's percentile_disc). p90 of 1..10 is 9; of 1..11 is 10.
 */
export function percentileNearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  if (!(p > 0 && p <= 1)) throw new RangeError('p must be in (0, 1]');
  const s = [...values].sort((a, b) => a - b);
  // The epsilon keeps 0.9 × 10 = 9.000000000000002 from becoming rank 10.
  const rank = Math.max(1, Math.ceil(p * s.length - 1e-9));
  return s[rank - 1];
}

export function p90(values: readonly number[]): number | null {
  return percentileNearestRank(values, 0.9);
}

/** n ÷ d rounded to 4 decimal places; null when there is nothing to divide by. */
export function ratio(n: number, d: number, places = 4): number | null {
  if (d === 0) return null;
  const f = 10 ** places;
  return Math.round((n / d) * f) / f;
}

// ---- Calendar dates (YYYY-MM-DD strings; no time zone arithmetic beyond londonDate) ----

function parts(date: string): [number, number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

function fmt(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Adds calendar months; a day that does not exist in the target month becomes its last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonthsClamped(date: string, months: number): string {
  const [y, m, d] = parts(date);
  const index = y * 12 + (m - 1) + months;
  const ty = Math.floor(index / 12);
  const tm = (index % 12) + 1;
  return fmt(ty, tm, Math.min(d, daysInMonth(ty, tm)));
}

/**
 * Whole calendar months from `start` to `end`, by the product's one rule (common/months.ts, also
 * used by the nightly length-of-stay measurement): the months between the two dates, less one when
 * the end's day of the month comes before the start's. 15 Jan → 14 Feb is 0; 15 Jan → 15 Feb is 1;
 * 31 Jan → 28 Feb is 0 (the 31st is never reached); never negative.
 */
export function wholeMonthsBetween(start: string, end: string): number {
  return wholeMonths(start, end);
}

/** Days from one calendar date to another (negative when `end` is earlier). */
export function daysBetween(start: string, end: string): number {
  return Math.round(
    (Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000,
  );
}

// ---- Financial years and quarters (UK: 1 April – 31 March; Q1 = April–June) ----

/** The financial year a date falls in, named by the calendar year it starts in (2025 = 2025-04-01..2026-03-31). */
export function financialYearOf(date: string): number {
  const [y, m] = parts(date);
  return m >= 4 ? y : y - 1;
}

export function financialYearBounds(year: number): { from: string; to: string } {
  return { from: fmt(year, 4, 1), to: fmt(year + 1, 3, 31) };
}

/** "2025-26" */
export function financialYearLabel(year: number): string {
  return `${year}-${String((year + 1) % 100).padStart(2, '0')}`;
}

export interface QuarterPeriod {
  /** "2025-26 Q1" */
  period: string;
  financialYear: number;
  quarter: 1 | 2 | 3 | 4;
  /** First day of the whole quarter: the key the SQL groups by (date_trunc('quarter', date)). */
  quarterStart: string;
  /** The part of the quarter inside the requested period. */
  from: string;
  to: string;
}

/** Financial quarters line up with calendar quarters (Q1 = calendar Q2), so a quarter starts in Jan, Apr, Jul or Oct. */
export function quarterStartOf(date: string): string {
  const [y, m] = parts(date);
  return fmt(y, Math.floor((m - 1) / 3) * 3 + 1, 1);
}

export function financialQuarterOf(date: string): {
  financialYear: number;
  quarter: 1 | 2 | 3 | 4;
} {
  const [, m] = parts(date);
  return {
    financialYear: financialYearOf(date),
    quarter: ((Math.floor((m - 1) / 3) + 3) % 4) + 1,
  } as {
    financialYear: number;
    quarter: 1 | 2 | 3 | 4;
  };
}

/** Every financial quarter that overlaps from..to (inclusive), clipped to it, oldest first. */
export function financialQuarters(from: string, to: string): QuarterPeriod[] {
  const out: QuarterPeriod[] = [];
  for (let start = quarterStartOf(from); start <= to; start = addMonthsClamped(start, 3)) {
    const end = addDays(addMonthsClamped(start, 3), -1);
    const { financialYear, quarter } = financialQuarterOf(start);
    out.push({
      period: `${financialYearLabel(financialYear)} Q${quarter}`,
      financialYear,
      quarter,
      quarterStart: start,
      from: start < from ? from : start,
      to: end > to ? to : end,
    });
  }
  return out;
}

/**
 * The period a report covers when from/to are left out: the financial year containing the other
 * bound, or the current financial year when both are missing.
 */
export function resolvePeriod(
  q: { from?: string; to?: string },
  today: string,
): { from: string; to: string } {
  const from = q.from ?? financialYearBounds(financialYearOf(q.to ?? today)).from;
  const to = q.to ?? financialYearBounds(financialYearOf(q.from ?? today)).to;
  return { from, to };
}

// ---- Length of stay ----

export type MonthBand = 'lt1' | 'm1to3' | 'm3to6' | 'gt6';

/**
 * The national return's bands over whole months: lt1 = 0; m1to3 = 1 or 2 (exactly 1 month is in
 * m1to3); m3to6 = 3 to 6 inclusive (exactly 3 and exactly 6 are here); gt6 = 7 or more.
 */
export function monthBand(months: number): MonthBand {
  if (months < 1) return 'lt1';
  if (months < 3) return 'm1to3';
  if (months <= 6) return 'm3to6';
  return 'gt6';
}

export interface MonthCount {
  months: number;
  count: number;
}

/** A histogram with every month from 0 to the longest stay present (zeros filled in), so charts keep their scale. */
export function fillHistogram(rows: readonly MonthCount[]): MonthCount[] {
  if (rows.length === 0) return [];
  const byMonth = new Map<number, number>();
  for (const r of rows) byMonth.set(r.months, (byMonth.get(r.months) ?? 0) + r.count);
  const max = Math.max(...byMonth.keys());
  return Array.from({ length: max + 1 }, (_, months) => ({
    months,
    count: byMonth.get(months) ?? 0,
  }));
}

export function bandCounts(rows: readonly MonthCount[]): Record<MonthBand, number> {
  const bands: Record<MonthBand, number> = { lt1: 0, m1to3: 0, m3to6: 0, gt6: 0 };
  for (const r of rows) bands[monthBand(r.months)] += r.count;
  return bands;
}

/** Median of a histogram's underlying values (same rule as median()). */
export function histogramMedian(rows: readonly MonthCount[]): number | null {
  const total = rows.reduce((s, r) => s + r.count, 0);
  if (total === 0) return null;
  const sorted = [...rows].filter((r) => r.count > 0).sort((a, b) => a.months - b.months);
  const nth = (k: number): number => {
    let seen = 0;
    for (const r of sorted) {
      seen += r.count;
      if (k < seen) return r.months;
    }
    return sorted[sorted.length - 1].months;
  };
  return total % 2 === 1 ? nth((total - 1) / 2) : (nth(total / 2 - 1) + nth(total / 2)) / 2;
}

// ---- Ages ----

export const AGE_BANDS = [
  { key: 'under16', min: 0, max: 15 },
  { key: 'aged16to25', min: 16, max: 25 },
  { key: 'aged26to35', min: 26, max: 35 },
  { key: 'aged36to45', min: 36, max: 45 },
  { key: 'aged46to55', min: 46, max: 55 },
  { key: 'aged56to64', min: 56, max: 64 },
  { key: 'aged65plus', min: 65, max: Number.POSITIVE_INFINITY },
] as const;

export type AgeBand = (typeof AGE_BANDS)[number]['key'];

export function ageBand(age: number): AgeBand {
  return (AGE_BANDS.find((b) => age <= b.max) ?? AGE_BANDS[AGE_BANDS.length - 1]).key;
}

/** snake_case code → camelCase key (landlord_refusal → landlordRefusal). */
export function camelKey(code: string): string {
  return code.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
