// The arithmetic of the target-hardening report over monthly cells, free of Nest and TypeORM: which
// months of a period are whole (read from the trigger-kept monthly totals) and which ends are read
// live from the cases; how cells add up into quarters, the total and the breakdowns; and the median
// and nearest-rank p90 read exactly off a days histogram.
import { addDays, addMonthsClamped, quarterStartOf } from './report-math.js';

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

/**
 * The facts of one London calendar month for one tenure (every fact) or one contractor
 * (installations only): a row of target_hardening_months, or the same worked out live.
 */
export interface MonthCell {
  month: string;
  byContractor: boolean;
  tenure: string | null;
  contractorId: string | null;
  referrals: number;
  installations: number;
  cancelled: number;
  /** outcome_reason ("" when none) → cases now unsuccessful */
  unsuccessful: Record<string, number>;
  /** days from referral to installation → installations */
  days: Record<string, number>;
}

/** One fact group read live from the cases (the partial months at the ends of a period). */
export interface LiveFactRow {
  kind: 'referral' | 'installation' | 'cancelled' | 'unsuccessful';
  month: string;
  tenure: string;
  contractorId: string | null;
  /** unsuccessful only ("" when none) */
  reason: string | null;
  /** installation only */
  days: number | null;
  n: number;
}

/** Distinct people who resumed the relationship, per breakdown (GROUPING bits as below). */
export interface ResumedRow {
  /** GROUPING(q, tenure, contractor_id): 4 = quarter, 2 = tenure, 1 = contractor rolled up */
  g: number;
  quarterStart: string | null;
  tenure: string | null;
  contractorId: string | null;
  resumed: number;
}

/** A period's whole months (read from the monthly totals) and the dates at its ends read live. */
export interface MonthSplit {
  /** first day of the first whole month and of the month after the last, or null when none is whole */
  months: { from: string; before: string } | null;
  /** date ranges (inclusive) outside the whole months */
  live: { from: string; to: string }[];
}

const monthStart = (date: string): string => `${date.slice(0, 8)}01`;

export function splitMonths(from: string, to: string): MonthSplit {
  const first = from.endsWith('-01') ? from : addMonthsClamped(monthStart(from), 1);
  const afterTo = addDays(to, 1);
  const before = afterTo.endsWith('-01') ? afterTo : monthStart(to);
  if (first >= before) return { months: null, live: [{ from, to }] };
  const live: { from: string; to: string }[] = [];
  if (from < first) live.push({ from, to: addDays(first, -1) });
  if (before <= to) live.push({ from: before, to });
  return { months: { from: first, before }, live };
}

/** Live fact groups folded into the same cells as the monthly totals. */
export function cellsFromFacts(facts: readonly LiveFactRow[]): MonthCell[] {
  const cells = new Map<string, MonthCell>();
  const cell = (month: string, byContractor: boolean, key: string | null): MonthCell => {
    const id = `${month}|${byContractor}|${key}`;
    let c = cells.get(id);
    if (!c) {
      c = {
        month,
        byContractor,
        tenure: byContractor ? null : key,
        contractorId: byContractor ? key : null,
        referrals: 0,
        installations: 0,
        cancelled: 0,
        unsuccessful: {},
        days: {},
      };
      cells.set(id, c);
    }
    return c;
  };
  for (const f of facts) {
    const t = cell(f.month, false, f.tenure);
    if (f.kind === 'referral') t.referrals += f.n;
    else if (f.kind === 'cancelled') t.cancelled += f.n;
    else if (f.kind === 'unsuccessful') add(t.unsuccessful, f.reason ?? '', f.n);
    else {
      const k = cell(f.month, true, f.contractorId);
      for (const c of [t, k]) {
        c.installations += f.n;
        add(c.days, String(f.days), f.n);
      }
    }
  }
  return [...cells.values()];
}

function add(h: Record<string, number>, key: string, n: number): void {
  h[key] = (h[key] ?? 0) + n;
}

/**
 * The median (the middle value, or the mean of the two middle values) and the nearest-rank p90
 * (the smallest value at least 90% of the values are at or below) of a value → count histogram:
 * the same figures as percentile_cont(0.5) and percentile_disc(0.9) over the underlying values.
 */
export function histogramStats(h: ReadonlyMap<number, number>): {
  median: number | null;
  p90: number | null;
} {
  const entries = [...h].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return { median: null, p90: null };
  /** The value at 1-based rank k (1 <= k <= total). */
  const at = (k: number): number => {
    let cum = 0;
    for (const [v, n] of entries) {
      cum += n;
      if (cum >= k) return v;
    }
    throw new RangeError(`rank ${k} is beyond ${total}`);
  };
  // Whole-number ranks, as in SQL: (total + 1) / 2 and total / 2 + 1 (the two middle values, the
  // same one for an odd count) and ceil(0.9 × total) = (9 × total + 9) / 10, all rounded down.
  return {
    median: (at(Math.floor((total + 1) / 2)) + at(Math.floor(total / 2) + 1)) / 2,
    p90: at(Math.floor((9 * total + 9) / 10)),
  };
}

interface Sum {
  quarterStart: string | null;
  breakdown: TargetHardeningRow['breakdown'];
  key: string | null;
  referrals: number;
  installations: number;
  cancelled: number;
  unsuccessful: Map<string, number>;
  days: Map<number, number>;
}

function addTo<K>(h: Map<K, number>, key: K, n: number): void {
  h.set(key, (h.get(key) ?? 0) + n);
}

/**
 * The report's rows from the period's cells: per financial quarter (quarters are calendar quarters)
 * and in total, each overall, by tenure and by contractor. A row exists when a fact counts in it;
 * contractor rows only for installations. The first three `unsuccessfulReasons` are reported
 * separately (landlord refusal, consent timeout, cannot fit); any other reason counts as other.
 */
export function targetHardeningRows(
  cells: readonly MonthCell[],
  resumed: readonly ResumedRow[],
  contractorNames: ReadonlyMap<string, string>,
  unsuccessfulReasons: readonly string[],
): TargetHardeningRow[] {
  const sums = new Map<string, Sum>();
  const sum = (quarterStart: string | null, breakdown: Sum['breakdown'], key: string | null) => {
    const id = `${quarterStart}|${breakdown}|${key}`;
    let s = sums.get(id);
    if (!s) {
      s = {
        quarterStart,
        breakdown,
        key,
        referrals: 0,
        installations: 0,
        cancelled: 0,
        unsuccessful: new Map(),
        days: new Map(),
      };
      sums.set(id, s);
    }
    return s;
  };
  // Months into quarters, by tenure and by contractor.
  for (const c of cells) {
    const facts =
      c.referrals + c.installations + c.cancelled + Object.values(c.unsuccessful).reduce(plus, 0);
    if (facts === 0) continue; // a monthly total whose facts have all moved away
    const s = sum(
      quarterStartOf(c.month),
      c.byContractor ? 'contractor' : 'tenure',
      c.byContractor ? c.contractorId : c.tenure,
    );
    s.referrals += c.referrals;
    s.installations += c.installations;
    s.cancelled += c.cancelled;
    for (const k in c.unsuccessful) addTo(s.unsuccessful, k, c.unsuccessful[k]);
    for (const k in c.days) addTo(s.days, Number(k), c.days[k]);
  }
  const merge = (into: Sum, s: Sum) => {
    into.referrals += s.referrals;
    into.installations += s.installations;
    into.cancelled += s.cancelled;
    for (const [k, n] of s.unsuccessful) addTo(into.unsuccessful, k, n);
    for (const [k, n] of s.days) addTo(into.days, k, n);
  };
  // Every fact has exactly one tenure, so a quarter's tenure rows add up to the quarter; the
  // quarters add up to the total.
  const quarters = [...sums.values()];
  for (const s of quarters)
    if (s.breakdown === 'tenure') merge(sum(s.quarterStart, 'all', null), s);
  for (const s of [...sums.values()]) merge(sum(null, s.breakdown, s.key), s);

  const resumedBy = new Map(
    resumed.map((r) => {
      const breakdown = (r.g & 2) === 0 ? 'tenure' : (r.g & 1) === 0 ? 'contractor' : 'all';
      const key =
        breakdown === 'tenure' ? r.tenure : breakdown === 'contractor' ? r.contractorId : null;
      return [`${r.quarterStart}|${breakdown}|${key}`, r.resumed];
    }),
  );
  const [landlord, consent, cannotFit] = unsuccessfulReasons;
  return [...sums.values()]
    .filter((s) => s.breakdown !== 'contractor' || s.installations > 0)
    .map((s) => {
      const u = s.unsuccessful;
      const other = [...u]
        .filter(([k]) => k !== landlord && k !== consent && k !== cannotFit)
        .reduce((total, [, n]) => total + n, 0);
      const stats = histogramStats(s.days);
      return {
        quarterStart: s.quarterStart,
        breakdown: s.breakdown,
        tenure: s.breakdown === 'tenure' ? s.key : null,
        contractorId: s.breakdown === 'contractor' ? s.key : null,
        contractorName:
          s.breakdown === 'contractor' && s.key !== null
            ? (contractorNames.get(s.key) ?? null)
            : null,
        referrals: s.referrals,
        installations: s.installations,
        cancelled: s.cancelled,
        landlordRefusal: u.get(landlord) ?? 0,
        consentTimeout: u.get(consent) ?? 0,
        cannotFit: u.get(cannotFit) ?? 0,
        unsuccessfulOther: other,
        medianDays: stats.median,
        p90Days: stats.p90,
        resumedRelationship: resumedBy.get(`${s.quarterStart}|${s.breakdown}|${s.key}`) ?? 0,
      };
    });
}

const plus = (a: number, b: number): number => a + b;
