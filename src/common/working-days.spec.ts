import {
  addWorkingDays,
  isWorkingDay,
  londonDate,
  londonStartOfDay,
  workingDaysDeadline,
} from './working-days.js';

describe('working days', () => {
  it('skips weekends', async () => {
    expect(addWorkingDays('2026-11-27', 1)).toBe('2026-11-30'); // Fri → Mon
    expect(addWorkingDays('2026-11-23', 5)).toBe('2026-11-30');
  });

  it('skips England and Wales bank holidays including substitute days', async () => {
    expect(isWorkingDay('2026-12-25')).toBe(false);
    expect(isWorkingDay('2026-12-28')).toBe(false); // Boxing Day substitute
    expect(addWorkingDays('2026-12-24', 1)).toBe('2026-12-29');
    expect(addWorkingDays('2026-04-02', 1)).toBe('2026-04-07'); // Good Friday + Easter Monday
    expect(isWorkingDay('2026-05-25')).toBe(false);
    expect(isWorkingDay('2026-08-31')).toBe(false);
  });

  it('treats Scotland-only holidays as working days', async () => {
    expect(isWorkingDay('2026-11-30')).toBe(true); // St Andrew's Day (Monday) is not an E&W holiday
    expect(isWorkingDay('2027-01-04')).toBe(true); // 2 January substitute is Scotland only
  });

  it('counts zero working days as the same date', async () => {
    expect(addWorkingDays('2026-11-28', 0)).toBe('2026-11-28');
  });

  it('uses London dates, not UTC, across the clock change', async () => {
    // 23:30 UTC on 2026-06-30 is already 1 July in London (BST).
    expect(londonDate(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(londonDate(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31');
    expect(londonStartOfDay('2026-07-01').toISOString()).toBe('2026-06-30T23:00:00.000Z');
    expect(londonStartOfDay('2026-12-01').toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(londonStartOfDay('2026-03-29').toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(londonStartOfDay('2026-03-30').toISOString()).toBe('2026-03-29T23:00:00.000Z');
    expect(londonStartOfDay('2026-10-25').toISOString()).toBe('2026-10-24T23:00:00.000Z');
    expect(londonStartOfDay('2026-10-26').toISOString()).toBe('2026-10-26T00:00:00.000Z');
  });

  it('sets a deadline at the end of the n-th working day after the request', async () => {
    // Requested Wednesday 2 Dec 2026 → 10 working days: Wed 16 Dec ends at midnight.
    expect(workingDaysDeadline(new Date('2026-12-02T10:00:00Z'), 10).toISOString()).toBe(
      '2026-12-17T00:00:00.000Z',
    );
    // Over Christmas: 23 Dec + 3 working days = 24, 29, 30 Dec.
    expect(workingDaysDeadline(new Date('2026-12-23T09:00:00Z'), 3).toISOString()).toBe(
      '2026-12-31T00:00:00.000Z',
    );
    // In summer time the deadline is London midnight (23:00 UTC).
    expect(workingDaysDeadline(new Date('2026-07-01T09:00:00Z'), 1).toISOString()).toBe(
      '2026-07-02T23:00:00.000Z',
    );
  });
});
