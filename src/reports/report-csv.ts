// CSV for spreadsheets (RFC 4180): one header row, CRLF line ends, fields quoted only when they must
// be. Text that a spreadsheet would run as a formula (a contractor named "=HYPERLINK(…)") is
// prefixed with an apostrophe; numbers are written as numbers, empty for "no figure".
export type CsvValue = string | number | boolean | null | undefined;

export interface CsvTable {
  columns: readonly string[];
  rows: readonly (readonly CsvValue[])[];
}

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(table: CsvTable): string {
  const width = table.columns.length;
  const lines = [table.columns.map(csvField).join(',')];
  for (const row of table.rows) {
    if (row.length !== width) {
      throw new RangeError(`CSV row has ${row.length} fields; the header has ${width}`);
    }
    lines.push(row.map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Which representation the client asked for. q-values are honoured; JSON wins ties and is the answer
 * when no Accept header is sent. null when neither is acceptable (→ 406).
 */
export function negotiateFormat(accept: string | undefined): 'json' | 'csv' | null {
  if (!accept || !accept.trim()) return 'json';
  let json = 0;
  let csv = 0;
  let jsonSpecific = -1;
  let csvSpecific = -1;
  for (const part of accept.split(',')) {
    const [rawType, ...params] = part.trim().toLowerCase().split(';');
    const type = rawType.trim();
    if (!type) continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) q = Math.min(1, Math.max(0, Number(m[1]) || 0));
    }
    // The most specific matching range decides (RFC 9110 §12.5.1).
    const specificity = (t: string, sub: string): number =>
      type === `${t}/${sub}` ? 2 : type === `${t}/*` ? 1 : type === '*/*' ? 0 : -1;
    const js = specificity('application', 'json');
    if (js > jsonSpecific) {
      jsonSpecific = js;
      json = q;
    }
    const cs = specificity('text', 'csv');
    if (cs > csvSpecific) {
      csvSpecific = cs;
      csv = q;
    }
  }
  if (json === 0 && csv === 0) return null;
  return csv > json ? 'csv' : 'json';
}
