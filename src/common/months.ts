// Length of stay is counted in whole calendar months (UK dates): 15 Jan → 14 Feb is 0 months,
// 15 Jan → 15 Feb is 1. The SQL in the length-of-stay service uses the same rule (age()).
export function wholeMonths(from: string, to: string): number {
  const [fy, fm, fd] = from.split('-').map(Number);
  const [ty, tm, td] = to.split('-').map(Number);
  let months = (ty - fy) * 12 + (tm - fm);
  if (td < fd) months -= 1;
  return Math.max(0, months);
}

/** SQL for the same rule, given two date expressions. */
export function wholeMonthsSql(from: string, to: string): string {
  return `GREATEST(0, (extract(year FROM age(${to}, ${from})) * 12 + extract(month FROM age(${to}, ${from})))::int)`;
}
