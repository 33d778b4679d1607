// Turns report responses into their CSV tables and SVG charts. Column order is part of the contract
// (spreadsheets and scripts read by position), so every table's columns are a fixed list here.
import type {
  AnnualReturnResponse,
  LengthOfStayResponse,
  PeriodFigures,
  PipelineResponse,
  TargetHardeningResponse,
} from './dto/report.response.js';
import type { CsvTable, CsvValue } from './report-csv.js';
import { barChartSvg } from './report-svg.js';

export const PIPELINE_COLUMNS = [
  'section',
  'item',
  'count',
  'medianDaysInStage',
  'oldestDaysInStage',
  'flaggedOverdue',
] as const;

export function pipelineTable(r: PipelineResponse): CsvTable {
  const rows: CsvValue[][] = r.stages.map((s) => [
    'stage',
    s.stage,
    s.count,
    s.ageInStageDays.median,
    s.ageInStageDays.oldest,
    s.flaggedOverdue,
  ]);
  rows.push(['openCases', 'total', r.openCases, null, null, null]);
  for (const [item, n] of Object.entries(r.overdue.approvals))
    rows.push(['approvals', item, n, null, null, null]);
  for (const [item, n] of Object.entries(r.overdue.jobs))
    rows.push(['jobs', item, n, null, null, null]);
  return { columns: PIPELINE_COLUMNS, rows };
}

export const TARGET_HARDENING_COLUMNS = [
  'period',
  'from',
  'to',
  'breakdown',
  'key',
  'name',
  'referrals',
  'installations',
  'conversionRate',
  'cancelled',
  'unsuccessfulTotal',
  'unsuccessfulLandlordRefusal',
  'unsuccessfulConsentTimeout',
  'unsuccessfulCannotFit',
  'unsuccessfulOther',
  'daysReferralToInstallMedian',
  'daysReferralToInstallP90',
  'resumedRelationship',
] as const;

/** One row per period (quarters, then total) for all cases, then one per tenure and per contractor. */
export function targetHardeningTable(r: TargetHardeningResponse): CsvTable {
  const rows: CsvValue[][] = [];
  for (const p of [...r.quarters, r.total]) rows.push(...periodRows(p));
  return { columns: TARGET_HARDENING_COLUMNS, rows };
}

function periodRows(p: PeriodFigures): CsvValue[][] {
  const head = [p.period, p.from, p.to];
  const u = p.unsuccessful;
  const rows: CsvValue[][] = [
    [
      ...head,
      'all',
      '',
      '',
      p.referrals,
      p.installations,
      p.conversionRate,
      p.cancelled,
      u.total,
      u.landlordRefusal,
      u.consentTimeout,
      u.cannotFit,
      u.other,
      p.daysReferralToInstall.median,
      p.daysReferralToInstall.p90,
      p.resumedRelationship,
    ],
  ];
  for (const t of p.byTenure) {
    const tu = t.unsuccessful;
    rows.push([
      ...head,
      'tenure',
      t.tenure,
      '',
      t.referrals,
      t.installations,
      t.conversionRate,
      t.cancelled,
      tu.total,
      tu.landlordRefusal,
      tu.consentTimeout,
      tu.cannotFit,
      tu.other,
      t.daysReferralToInstall.median,
      t.daysReferralToInstall.p90,
      t.resumedRelationship,
    ]);
  }
  for (const c of p.byContractor) {
    // Only installations are counted per contractor: the other columns stay empty, not zero.
    rows.push([
      ...head,
      'contractor',
      c.contractorId ?? '',
      c.name ?? '',
      null,
      c.installations,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      c.daysReferralToInstall.median,
      c.daysReferralToInstall.p90,
      c.resumedRelationship,
    ]);
  }
  return rows;
}

export const LENGTH_OF_STAY_COLUMNS = ['from', 'to', 'section', 'item', 'value'] as const;

export function lengthOfStayTable(r: LengthOfStayResponse): CsvTable {
  const row = (section: string, item: string | number, value: number | null): CsvValue[] => [
    r.from,
    r.to,
    section,
    String(item),
    value,
  ];
  const rows: CsvValue[][] = [
    row('summary', 'count', r.count),
    row('summary', 'medianMonths', r.medianMonths),
    row('summary', 'stillInSupport', r.stillInSupport),
    ...Object.entries(r.bands).map(([band, n]) => row('bands', band, n)),
    ...r.histogramMonths.map((h) => row('histogramMonths', h.months, h.count)),
  ];
  return { columns: LENGTH_OF_STAY_COLUMNS, rows };
}

export const ANNUAL_RETURN_COLUMNS = ['financialYear', 'section', 'item', 'value'] as const;

/** Every figure of the return as (section, item, value); nested sections are dotted (individualsSupported.adults). */
export function annualReturnTable(r: AnnualReturnResponse): CsvTable {
  const rows: CsvValue[][] = [];
  const { year: _y, financialYear, from: _f, to: _t, definitions: _d, ...figures } = r;
  const walk = (section: string, value: unknown): void => {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== null && typeof v === 'object') walk(section ? `${section}.${key}` : key, v);
      else if (section) rows.push([financialYear, section, key, v as number | null]);
      else rows.push([financialYear, key, 'total', v as number | null]);
    }
  };
  walk('', figures);
  return { columns: ANNUAL_RETURN_COLUMNS, rows };
}

export function targetHardeningChart(r: TargetHardeningResponse): string {
  return barChartSvg({
    title: `Referrals and installations by quarter, ${r.from} to ${r.to}`,
    categories: r.quarters.map((q) => q.period),
    series: [
      { name: 'Referrals', values: r.quarters.map((q) => q.referrals) },
      { name: 'Installations', values: r.quarters.map((q) => q.installations) },
      { name: 'Unsuccessful', values: r.quarters.map((q) => q.unsuccessful.total) },
      { name: 'Cancelled', values: r.quarters.map((q) => q.cancelled) },
    ],
    xLabel: 'Financial quarter',
    yLabel: 'Cases',
  });
}

export function lengthOfStayChart(r: LengthOfStayResponse): string {
  return barChartSvg({
    title: `Length of stay after installation (installed ${r.from} to ${r.to})`,
    categories: r.histogramMonths.map((h) => String(h.months)),
    series: [{ name: 'Cases', values: r.histogramMonths.map((h) => h.count) }],
    xLabel: 'Whole months in support after installation',
    yLabel: 'Cases',
  });
}
