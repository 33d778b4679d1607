import {
  addMonthsClamped,
  ageBand,
  bandCounts,
  camelKey,
  daysBetween,
  fillHistogram,
  financialQuarterOf,
  financialQuarters,
  financialYearBounds,
  financialYearLabel,
  financialYearOf,
  histogramMedian,
  londonDate,
  median,
  monthBand,
  p90,
  percentileNearestRank,
  quarterStartOf,
  ratio,
  resolvePeriod,
  wholeMonthsBetween,
} from './report-math.js';

describe('report math', () => {
  describe(median.name, () => {
    it('has no median for no values', async () => {
      expect(median([])).toBeNull();
    });

    it('takes the middle value of an odd count, whatever the input order', async () => {
      expect(median([7])).toBe(7);
      expect(median([9, 1, 5])).toBe(5);
      expect(median([3, 3, 100, 1, 2])).toBe(3);
    });

    it('averages the two middle values of an even count', async () => {
      expect(median([1, 2])).toBe(1.5);
      expect(median([10, 2, 4, 8])).toBe(6);
      expect(median([0, 0, 1, 1])).toBe(0.5);
    });

    it('does not reorder the caller’s array', async () => {
      const values = [3, 1, 2];
      median(values);
      expect(values).toEqual([3, 1, 2]);
    });
  });

  describe('p90 (nearest rank)', () => {
    it('has no p90 for no values', async () => {
      expect(p90([])).toBeNull();
    });

    it('is the only value of one', async () => {
      expect(p90([42])).toBe(42);
    });

    it('is the 9th of 10 values, not an interpolation', async () => {
      expect(p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toBe(9);
      expect(p90([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toBe(9);
    });

    it('rounds the rank up', async () => {
      // ceil(0.9 × 11) = 10 → the 10th value
      expect(p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])).toBe(10);
      // ceil(0.9 × 2) = 2 → the larger
      expect(p90([5, 50])).toBe(50);
      // ceil(0.9 × 20) = 18
      expect(p90(Array.from({ length: 20 }, (_, i) => i + 1))).toBe(18);
    });

    it('is always a value that occurred', async () => {
      const values = [3, 17, 4, 90, 12, 33, 8];
      expect(values).toContain(p90(values));
    });

    it('supports other percentiles and refuses nonsense', async () => {
      expect(percentileNearestRank([1, 2, 3, 4], 0.5)).toBe(2);
      expect(percentileNearestRank([1, 2, 3, 4], 1)).toBe(4);
      expect(() => percentileNearestRank([1], 0)).toThrow(RangeError);
      expect(() => percentileNearestRank([1], 1.5)).toThrow(RangeError);
    });
  });

  describe(ratio.name, () => {
    it('rounds to four places and has no ratio over zero', async () => {
      expect(ratio(2, 3)).toBe(0.6667);
      expect(ratio(1, 4)).toBe(0.25);
      expect(ratio(5, 4)).toBe(1.25);
      expect(ratio(0, 4)).toBe(0);
      expect(ratio(3, 0)).toBeNull();
    });
  });

  describe('financial years', () => {
    it('starts the year on 1 April', async () => {
      expect(financialYearOf('2025-04-01')).toBe(2025);
      expect(financialYearOf('2025-03-31')).toBe(2024);
      expect(financialYearOf('2026-01-15')).toBe(2025);
      expect(financialYearBounds(2025)).toEqual({ from: '2025-04-01', to: '2026-03-31' });
    });

    it('names years like the national return', async () => {
      expect(financialYearLabel(2025)).toBe('2025-26');
      expect(financialYearLabel(1999)).toBe('1999-00');
      expect(financialYearLabel(2009)).toBe('2009-10');
    });

    it('numbers quarters from April', async () => {
      expect(financialQuarterOf('2025-04-01')).toEqual({ financialYear: 2025, quarter: 1 });
      expect(financialQuarterOf('2025-06-30')).toEqual({ financialYear: 2025, quarter: 1 });
      expect(financialQuarterOf('2025-07-01')).toEqual({ financialYear: 2025, quarter: 2 });
      expect(financialQuarterOf('2025-12-31')).toEqual({ financialYear: 2025, quarter: 3 });
      expect(financialQuarterOf('2026-01-01')).toEqual({ financialYear: 2025, quarter: 4 });
      expect(financialQuarterOf('2026-03-31')).toEqual({ financialYear: 2025, quarter: 4 });
    });

    it('keys quarters by their first day', async () => {
      expect(quarterStartOf('2025-05-17')).toBe('2025-04-01');
      expect(quarterStartOf('2025-03-31')).toBe('2025-01-01');
      expect(quarterStartOf('2025-12-01')).toBe('2025-10-01');
    });

    it('lists the four quarters of a whole year', async () => {
      const qs = financialQuarters('2025-04-01', '2026-03-31');
      expect(qs.map((q) => [q.period, q.from, q.to])).toEqual([
        ['2025-26 Q1', '2025-04-01', '2025-06-30'],
        ['2025-26 Q2', '2025-07-01', '2025-09-30'],
        ['2025-26 Q3', '2025-10-01', '2025-12-31'],
        ['2025-26 Q4', '2026-01-01', '2026-03-31'],
      ]);
    });

    it('clips the first and last quarter to the period', async () => {
      const qs = financialQuarters('2025-05-15', '2025-08-02');
      expect(qs).toEqual([
        {
          period: '2025-26 Q1',
          financialYear: 2025,
          quarter: 1,
          quarterStart: '2025-04-01',
          from: '2025-05-15',
          to: '2025-06-30',
        },
        {
          period: '2025-26 Q2',
          financialYear: 2025,
          quarter: 2,
          quarterStart: '2025-07-01',
          from: '2025-07-01',
          to: '2025-08-02',
        },
      ]);
    });

    it('gives one quarter for a single day and crosses year ends', async () => {
      expect(financialQuarters('2025-12-31', '2025-12-31').map((q) => q.period)).toEqual([
        '2025-26 Q3',
      ]);
      expect(financialQuarters('2025-02-01', '2025-04-01').map((q) => q.period)).toEqual([
        '2024-25 Q4',
        '2025-26 Q1',
      ]);
    });

    it('defaults a missing period to the financial year', async () => {
      expect(resolvePeriod({}, '2026-02-10')).toEqual({ from: '2025-04-01', to: '2026-03-31' });
      expect(resolvePeriod({}, '2026-04-01')).toEqual({ from: '2026-04-01', to: '2027-03-31' });
      expect(resolvePeriod({ from: '2023-06-01' }, '2026-02-10')).toEqual({
        from: '2023-06-01',
        to: '2024-03-31',
      });
      expect(resolvePeriod({ to: '2023-06-01' }, '2026-02-10')).toEqual({
        from: '2023-04-01',
        to: '2023-06-01',
      });
      expect(resolvePeriod({ from: '2020-01-01', to: '2020-01-02' }, '2026-02-10')).toEqual({
        from: '2020-01-01',
        to: '2020-01-02',
      });
    });
  });

  describe('calendar months', () => {
    it('adds months, clamping to the end of a shorter month', async () => {
      expect(addMonthsClamped('2025-01-31', 1)).toBe('2025-02-28');
      expect(addMonthsClamped('2024-01-31', 1)).toBe('2024-02-29');
      expect(addMonthsClamped('2025-10-31', 2)).toBe('2025-12-31');
      expect(addMonthsClamped('2025-11-15', 3)).toBe('2026-02-15');
      expect(addMonthsClamped('2025-03-31', -1)).toBe('2025-02-28');
    });

    it('counts whole months only when the day of the month is reached', async () => {
      expect(wholeMonthsBetween('2025-01-15', '2025-02-14')).toBe(0);
      expect(wholeMonthsBetween('2025-01-15', '2025-02-15')).toBe(1);
      expect(wholeMonthsBetween('2025-01-15', '2025-04-14')).toBe(2);
      expect(wholeMonthsBetween('2025-01-15', '2025-04-15')).toBe(3);
      expect(wholeMonthsBetween('2025-01-15', '2026-01-15')).toBe(12);
    });

    it('does not count a month whose day is never reached at a month end', async () => {
      expect(wholeMonthsBetween('2025-01-31', '2025-02-28')).toBe(0);
      expect(wholeMonthsBetween('2025-01-31', '2025-03-01')).toBe(1);
      expect(wholeMonthsBetween('2025-03-31', '2025-04-30')).toBe(0);
      expect(wholeMonthsBetween('2025-03-31', '2025-05-31')).toBe(2);
      expect(wholeMonthsBetween('2025-01-30', '2025-03-29')).toBe(1);
      expect(wholeMonthsBetween('2025-01-30', '2025-03-30')).toBe(2);
    });

    it('is zero on the same day and never negative', async () => {
      expect(wholeMonthsBetween('2025-06-01', '2025-06-01')).toBe(0);
      expect(wholeMonthsBetween('2025-06-01', '2025-05-01')).toBe(0);
    });

    it('crosses year ends', async () => {
      expect(wholeMonthsBetween('2025-12-20', '2026-01-20')).toBe(1);
      expect(wholeMonthsBetween('2025-12-20', '2026-01-19')).toBe(0);
    });

    it('counts days between dates across clock changes', async () => {
      expect(daysBetween('2025-03-29', '2025-03-31')).toBe(2);
      expect(daysBetween('2025-10-25', '2025-10-27')).toBe(2);
      expect(daysBetween('2025-01-10', '2025-01-01')).toBe(-9);
    });

    it('reads dates in London time', async () => {
      expect(londonDate(new Date('2025-06-30T23:30:00Z'))).toBe('2025-07-01');
      expect(londonDate(new Date('2026-03-31T23:30:00Z'))).toBe('2026-04-01');
      expect(londonDate(new Date('2026-01-31T23:30:00Z'))).toBe('2026-01-31');
    });
  });

  describe('length-of-stay bands', () => {
    it('puts each boundary on the documented side', async () => {
      expect(monthBand(0)).toBe('lt1');
      expect(monthBand(1)).toBe('m1to3');
      expect(monthBand(2)).toBe('m1to3');
      expect(monthBand(3)).toBe('m3to6');
      expect(monthBand(6)).toBe('m3to6');
      expect(monthBand(7)).toBe('gt6');
      expect(monthBand(40)).toBe('gt6');
    });

    it('counts a histogram into bands', async () => {
      expect(
        bandCounts([
          { months: 0, count: 2 },
          { months: 1, count: 1 },
          { months: 3, count: 4 },
          { months: 6, count: 1 },
          { months: 7, count: 5 },
        ]),
      ).toEqual({
        lt1: 2,
        m1to3: 1,
        m3to6: 5,
        gt6: 5,
      });
      expect(bandCounts([])).toEqual({ lt1: 0, m1to3: 0, m3to6: 0, gt6: 0 });
    });

    it('fills the gaps of a histogram from month 0', async () => {
      expect(
        fillHistogram([
          { months: 3, count: 2 },
          { months: 1, count: 1 },
        ]),
      ).toEqual([
        { months: 0, count: 0 },
        { months: 1, count: 1 },
        { months: 2, count: 0 },
        { months: 3, count: 2 },
      ]);
      expect(fillHistogram([])).toEqual([]);
    });

    it('takes the median of a histogram like the median of its values', async () => {
      const rows = [
        { months: 0, count: 1 },
        { months: 2, count: 2 },
        { months: 9, count: 1 },
      ];
      expect(histogramMedian(rows)).toBe(median([0, 2, 2, 9]));
      expect(histogramMedian([{ months: 4, count: 3 }])).toBe(4);
      expect(
        histogramMedian([
          { months: 1, count: 1 },
          { months: 2, count: 1 },
        ]),
      ).toBe(1.5);
      expect(histogramMedian([{ months: 1, count: 0 }])).toBeNull();
    });
  });

  describe('ages and keys', () => {
    it('bands ages at referral with 16–25 and 65+ inclusive', async () => {
      expect(ageBand(15)).toBe('under16');
      expect(ageBand(16)).toBe('aged16to25');
      expect(ageBand(25)).toBe('aged16to25');
      expect(ageBand(26)).toBe('aged26to35');
      expect(ageBand(64)).toBe('aged56to64');
      expect(ageBand(65)).toBe('aged65plus');
      expect(ageBand(101)).toBe('aged65plus');
    });

    it('turns codes into camelCase keys', async () => {
      expect(camelKey('landlord_refusal')).toBe('landlordRefusal');
      expect(camelKey('moved_other_safe_accommodation')).toBe('movedOtherSafeAccommodation');
      expect(camelKey('other')).toBe('other');
    });
  });
});
