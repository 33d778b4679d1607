import { wholeMonths } from './months.js';

describe(wholeMonths.name, () => {
  it('counts whole calendar months', async () => {
    expect(wholeMonths('2026-01-15', '2026-02-14')).toBe(0);
    expect(wholeMonths('2026-01-15', '2026-02-15')).toBe(1);
    expect(wholeMonths('2025-11-30', '2026-05-30')).toBe(6);
    expect(wholeMonths('2026-03-01', '2026-03-01')).toBe(0);
    expect(wholeMonths('2025-12-31', '2026-01-30')).toBe(0);
  });

  it('never goes negative', async () => {
    expect(wholeMonths('2026-03-02', '2026-03-01')).toBe(0);
  });
});
