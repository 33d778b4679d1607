import { isCalendarDate, isInstant } from './dates.js';

describe(isInstant.name, () => {
  it('takes ISO-8601 timestamps with an offset', async () => {
    for (const v of ['2026-11-10T10:00:00Z', '2026-11-10T10:00:00.123+01:00', '2026-11-10T10:00Z'])
      expect(isInstant(v)).toBe(true);
  });

  it('refuses dates that do not exist, missing offsets and other shapes', async () => {
    for (const v of [
      '2026-02-30T10:00:00Z',
      '2026-13-01T10:00:00Z',
      '2026-11-10T25:00:00Z',
      '2026-11-10T10:00:00',
      '2026-11-10 10:00:00Z',
      '2026-11-10',
      '1970-01-01T00:00:00Z',
      '+275760-09-13T00:00:00.000Z',
    ])
      expect(isInstant(v)).toBe(false);
  });
});

describe(isCalendarDate.name, () => {
  it('takes real dates only', async () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    for (const v of [
      '2026-02-29',
      '2026-02-30',
      '2026-00-10',
      '1899-12-31',
      '2026-11-10T00:00:00Z',
    ])
      expect(isCalendarDate(v)).toBe(false);
  });
});
