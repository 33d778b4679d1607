import { ageBand, ageOn } from './case-row.js';

describe('age at a date', () => {
  it('counts whole years, birthdays included on the day', async () => {
    expect(ageOn('2000-06-15', '2026-06-14')).toBe(25);
    expect(ageOn('2000-06-15', '2026-06-15')).toBe(26);
    expect(ageOn('2008-02-29', '2026-02-28')).toBe(17);
    expect(ageOn('2008-02-29', '2026-03-01')).toBe(18);
  });

  it('puts ages into the national return bands', async () => {
    expect(ageBand(15)).toBe('under_16');
    expect(ageBand(16)).toBe('16-25');
    expect(ageBand(25)).toBe('16-25');
    expect(ageBand(26)).toBe('26-64');
    expect(ageBand(64)).toBe('26-64');
    expect(ageBand(65)).toBe('65+');
  });
});
