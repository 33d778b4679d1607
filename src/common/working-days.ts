// Working days for deadlines: Monday–Friday, not an England and Wales bank holiday, counted in UK
// local time (Europe/London, so clock changes are respected). Bank holidays come from the maintained
// `date-holidays` data set (GB/ENG public holidays, substitute days included) — never a hand-typed list.
import Holidays from 'date-holidays';

const ZONE = 'Europe/London';
const holidays = new Holidays('GB', 'ENG');
const holidayCache = new Map<number, Set<string>>();

function bankHolidays(year: number): Set<string> {
  let set = holidayCache.get(year);
  if (!set) {
    set = new Set(
      holidays
        .getHolidays(year)
        .filter((h) => h.type === 'public' || h.type === 'bank')
        .map((h) => h.date.slice(0, 10)),
    );
    holidayCache.set(year, set);
  }
  return set;
}

const dateFmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date (YYYY-MM-DD) in London at an instant. */
export function londonDate(at: Date): string {
  return dateFmt.format(at);
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function isBankHoliday(date: string): boolean {
  return bankHolidays(Number(date.slice(0, 4))).has(date);
}

export function isWorkingDay(date: string): boolean {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6 && !isBankHoliday(date);
}

/** The date n working days after `date` (n ≥ 0; n = 0 gives `date` itself). */
export function addWorkingDays(date: string, n: number): string {
  let d = date;
  let left = n;
  while (left > 0) {
    d = addDays(d, 1);
    if (isWorkingDay(d)) left--;
  }
  return d;
}

// Made once: building an Intl formatter costs far more than using one (it showed in chase profiles).
const offsetFmt = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, timeZoneName: 'longOffset' });

/** London's UTC offset in minutes at an instant (0 in winter, 60 in summer time). */
function londonOffsetMinutes(at: Date): number {
  const name = offsetFmt.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** The instant London's calendar day `date` begins. */
export function londonStartOfDay(date: string): Date {
  const utcMidnight = new Date(`${date}T00:00:00Z`);
  // Midnight never falls inside a UK clock change (they happen at 01:00 UTC), so one correction is exact.
  const offset = londonOffsetMinutes(new Date(utcMidnight.getTime() - 60 * 60 * 1000));
  return new Date(utcMidnight.getTime() - offset * 60 * 1000);
}

/**
 * A deadline `n` working days after an instant: the end of the n-th working day after the London
 * date of `from` (that is, the start of the following calendar day). The day of the request does not count.
 */
export function workingDaysDeadline(from: Date, n: number): Date {
  const due = addWorkingDays(londonDate(from), n);
  return londonStartOfDay(addDays(due, 1));
}

/** Start of the first working day after the London date of an instant ("a working day after"). */
export function nextWorkingDayEnd(from: Date): Date {
  return workingDaysDeadline(from, 1);
}
