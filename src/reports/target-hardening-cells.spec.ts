import { median, p90 } from './report-math.js';
import {
  cellsFromFacts,
  histogramStats,
  splitMonths,
  targetHardeningRows,
  type LiveFactRow,
} from './target-hardening-cells.js';

const REASONS = ['landlord_refusal', 'consent_timeout', 'cannot_fit', 'other'];

describe(splitMonths.name, () => {
  it('reads a period of whole months from the monthly totals only', () => {
    expect(splitMonths('2025-04-01', '2026-03-31')).toEqual({
      months: { from: '2025-04-01', before: '2026-04-01' },
      live: [],
    });
    expect(splitMonths('2024-02-01', '2024-02-29')).toEqual({
      months: { from: '2024-02-01', before: '2024-03-01' },
      live: [],
    });
  });

  it('reads the partial months at either end live', () => {
    expect(splitMonths('2016-04-15', '2026-06-14')).toEqual({
      months: { from: '2016-05-01', before: '2026-06-01' },
      live: [
        { from: '2016-04-15', to: '2016-04-30' },
        { from: '2026-06-01', to: '2026-06-14' },
      ],
    });
    expect(splitMonths('2025-04-01', '2026-06-15').live).toEqual([
      { from: '2026-06-01', to: '2026-06-15' },
    ]);
  });

  it('reads a period inside one or two months live when no month is whole', () => {
    expect(splitMonths('2025-03-30', '2025-03-30')).toEqual({
      months: null,
      live: [{ from: '2025-03-30', to: '2025-03-30' }],
    });
    expect(splitMonths('2025-03-02', '2025-04-30')).toEqual({
      months: { from: '2025-04-01', before: '2025-05-01' },
      live: [{ from: '2025-03-02', to: '2025-03-31' }],
    });
    expect(splitMonths('2025-03-02', '2025-04-29')).toEqual({
      months: null,
      live: [{ from: '2025-03-02', to: '2025-04-29' }],
    });
  });
});

describe(histogramStats.name, () => {
  it('gives the median and nearest-rank p90 of the underlying values', () => {
    // Deterministic pseudo-random samples, including negatives, ties and even and odd counts.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 1; n <= 60; n++) {
      const values = Array.from({ length: n }, () => Math.floor(next() * 40) - 5);
      const h = new Map<number, number>();
      for (const v of values) h.set(v, (h.get(v) ?? 0) + 1);
      expect(histogramStats(h)).toEqual({ median: median(values), p90: p90(values) });
    }
  });

  it('has no median or p90 without values (zero counts are none)', () => {
    expect(histogramStats(new Map())).toEqual({ median: null, p90: null });
    expect(histogramStats(new Map([[4, 0]]))).toEqual({ median: null, p90: null });
  });
});

describe(targetHardeningRows.name, () => {
  const facts: LiveFactRow[] = [
    {
      kind: 'referral',
      month: '2025-04-01',
      tenure: 'council',
      contractorId: null,
      reason: null,
      days: null,
      n: 3,
    },
    {
      kind: 'referral',
      month: '2025-07-01',
      tenure: 'private_rented',
      contractorId: null,
      reason: null,
      days: null,
      n: 1,
    },
    {
      kind: 'installation',
      month: '2025-05-01',
      tenure: 'council',
      contractorId: 'k1',
      reason: null,
      days: 10,
      n: 1,
    },
    {
      kind: 'installation',
      month: '2025-07-01',
      tenure: 'council',
      contractorId: 'k1',
      reason: null,
      days: 30,
      n: 1,
    },
    {
      kind: 'installation',
      month: '2025-08-01',
      tenure: 'private_rented',
      contractorId: null,
      reason: null,
      days: 21,
      n: 2,
    },
    {
      kind: 'unsuccessful',
      month: '2025-08-01',
      tenure: 'private_rented',
      contractorId: null,
      reason: 'landlord_refusal',
      days: null,
      n: 1,
    },
    {
      kind: 'unsuccessful',
      month: '2025-09-01',
      tenure: 'private_rented',
      contractorId: null,
      reason: 'new_reason',
      days: null,
      n: 1,
    },
    {
      kind: 'unsuccessful',
      month: '2025-09-01',
      tenure: 'council',
      contractorId: null,
      reason: '',
      days: null,
      n: 1,
    },
    {
      kind: 'cancelled',
      month: '2025-06-01',
      tenure: 'council',
      contractorId: null,
      reason: null,
      days: null,
      n: 2,
    },
  ];
  const rows = targetHardeningRows(
    cellsFromFacts(facts),
    [
      { g: 7, quarterStart: null, tenure: null, contractorId: null, resumed: 1 },
      { g: 6, quarterStart: null, tenure: null, contractorId: 'k1', resumed: 1 },
      { g: 1, quarterStart: '2025-07-01', tenure: 'council', contractorId: null, resumed: 1 },
    ],
    new Map([['k1', 'SecureFit Ltd']]),
    REASONS,
  );
  const find = (q: string | null, breakdown: string, key: string | null = null) =>
    rows.find(
      (r) =>
        r.quarterStart === q &&
        r.breakdown === breakdown &&
        (breakdown === 'tenure' ? r.tenure : r.contractorId) === key,
    );

  it('adds months into quarters and the total, with the days histogram over all installations', () => {
    expect(find(null, 'all')).toEqual({
      quarterStart: null,
      breakdown: 'all',
      tenure: null,
      contractorId: null,
      contractorName: null,
      referrals: 4,
      installations: 4,
      cancelled: 2,
      landlordRefusal: 1,
      consentTimeout: 0,
      cannotFit: 0,
      unsuccessfulOther: 2, // a reason the report does not list, and none
      medianDays: 21,
      p90Days: 30,
      resumedRelationship: 1,
    });
    expect(find('2025-04-01', 'all')).toMatchObject({
      referrals: 3,
      installations: 1,
      cancelled: 2,
      medianDays: 10,
    });
    expect(find('2025-07-01', 'tenure', 'council')).toMatchObject({
      installations: 1,
      cannotFit: 0,
      unsuccessfulOther: 1,
      resumedRelationship: 1,
    });
  });

  it('lists contractors only for installations, an installation without one under null', () => {
    expect(find(null, 'contractor', 'k1')).toMatchObject({
      contractorName: 'SecureFit Ltd',
      installations: 2,
      medianDays: 20,
      p90Days: 30,
      resumedRelationship: 1,
    });
    expect(find(null, 'contractor', null)).toMatchObject({
      contractorName: null,
      installations: 2,
    });
    expect(rows.filter((r) => r.breakdown === 'contractor')).toHaveLength(5);
  });

  it('leaves out monthly totals whose facts have all moved away', () => {
    const empty = targetHardeningRows(
      [
        {
          month: '2025-04-01',
          byContractor: false,
          tenure: 'council',
          contractorId: null,
          referrals: 0,
          installations: 0,
          cancelled: 0,
          unsuccessful: {},
          days: {},
        },
      ],
      [],
      new Map(),
      REASONS,
    );
    expect(empty).toEqual([]);
  });
});
