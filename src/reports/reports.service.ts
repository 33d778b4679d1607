// Owns the reports for scheme managers: resolves the period, runs one query per report through
// ReportsRepository (the counting is done in PostgreSQL; the target-hardening report adds up the
// trigger-kept monthly totals in target-hardening-cells.ts) and shapes the rows into the contract's
// responses, with the definition of every figure alongside it.
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { londonStartOfDay } from '../common/working-days.js';
import type { PeriodQuery, YearQuery } from './dto/report-query.dto.js';
import type {
  AnnualReturnResponse,
  ContractorFigures,
  LengthOfStayResponse,
  MonthBands,
  PeriodFigures,
  PipelineResponse,
  TargetHardeningResponse,
  TenureFigures,
  UnsuccessfulCounts,
} from './dto/report.response.js';
import {
  APPROVAL_KINDS,
  DECLINE_REASONS,
  EXIT_REASONS,
  GENDERS,
  OPEN_STAGES,
  RECORDED_CHARACTERISTICS,
  SUPPORT_TYPES,
  TENURES,
  UNSUCCESSFUL_REASONS,
} from './report-codes.js';
import {
  AGE_BANDS,
  addDays,
  bandCounts,
  camelKey,
  fillHistogram,
  financialQuarters,
  financialYearBounds,
  financialYearLabel,
  financialYearOf,
  londonDate,
  ratio,
  REPORT_TIME_ZONE,
  resolvePeriod,
  type AgeBand,
  type MonthCount,
} from './report-math.js';
import { ReportsRepository, type PeriodBounds } from './reports.repository.js';
import {
  splitMonths,
  targetHardeningRows,
  type TargetHardeningRow,
} from './target-hardening-cells.js';

const DATES_RULE =
  'All dates are UK calendar dates (Europe/London). Every event counts on the date it happened (its occurredAt), however late it was recorded, so backdated events fall in the right period.';

const BANDS_RULE =
  'Bands over whole months: lt1 = 0 months; m1to3 = 1 or 2 months (exactly 1 month is in m1to3); m3to6 = 3 to 6 months inclusive (exactly 3 and exactly 6 are in m3to6); gt6 = 7 months or more (strictly more than 6 whole months).';

const MONTHS_RULE =
  'Months are whole calendar months between UK dates: the months from the installation date to the end date, less one when the end date’s day of the month comes before the installation’s (15 Jan → 14 Feb is 0, 15 Jan → 15 Feb is 1, 31 Jan → 28 Feb is 0) — the same rule as the nightly length-of-stay measurement.';

const MEDIAN_RULE =
  'median: the middle value, or the mean of the two middle values for an even count; null when there are none.';

const TARGET_HARDENING_DEFINITIONS: Record<string, string> = {
  dates: DATES_RULE,
  quarters:
    'Financial quarters (Q1 = April–June, Q2 = July–September, Q3 = October–December, Q4 = January–March), clipped to from..to. total covers the whole period; its median and p90 are taken over all its installations, not averaged over quarters.',
  referrals: 'Cases whose referral date falls in the period.',
  installations:
    'Cases whose installation (the completion of the installation job) happened in the period.',
  conversionRate:
    'installations ÷ referrals, each counted by when it happened in the same period — not a cohort: an installation in this period may come from an earlier referral, so the rate can exceed 1. Rounded to 4 decimal places; null when there were no referrals.',
  cancelled:
    'Cases cancelled in the period (the occurredAt of the cancellation) that are still cancelled.',
  unsuccessful:
    'Cases that became unsuccessful in the period, by reason; landlordRefusal includes an installer turned away by the landlord on the day; other includes any reason not listed.',
  byTenure: 'The same figures for each tenure of the home, every tenure listed.',
  byContractor:
    'Installations in the period by the contractor whose job completed the installation; only contractors with installations are listed.',
  daysReferralToInstall: `For the installations in the period: days from the referral date to the date of installation. ${MEDIAN_RULE} p90: nearest rank — the smallest value that at least 90% of those installations are at or below (always a value that occurred).`,
  resumedRelationship:
    'Service users (each person counted once) whose installation happened in the period and who have since resumed the relationship with the perpetrator: a review after installation said so, or support ended with reason resumed_relationship or moved_in_with_perpetrator.',
};

const LENGTH_OF_STAY_DEFINITIONS: Record<string, string> = {
  dates: DATES_RULE,
  count: 'Cases whose installation happened between from and to (each installed case once).',
  months: `${MONTHS_RULE} The end date is the date support ended (a sanctuary place ends when support ends, not when the measures are removed), or measuredTo (today) while support goes on.`,
  source:
    'Computed directly from the cases (installation and end of support as recorded on them) at the time of the request, not from the nightly length_of_stay table, so a correction shows at once.',
  medianMonths: MEDIAN_RULE,
  histogramMonths:
    'Number of cases per whole month of stay, every month from 0 to the longest stay listed (zeros included).',
  bands: BANDS_RULE,
  stillInSupport: 'Of those cases, the ones whose support has not ended.',
};

const ANNUAL_RETURN_DEFINITIONS: Record<string, string> = {
  dates: DATES_RULE,
  supportedInTheYear:
    'A case is supported in the year when its support period — from installation to the end of support, or ongoing — overlaps 1 April..31 March. Support before installation (referral, survey, consent) does not count: a sanctuary place starts with the installation and ends when support ends.',
  people:
    'People are counted once however many referrals they had (same person, same person_hash). Gender, age and household children are taken from their latest case supported in the year (latest referral date); characteristics and support types from any of their cases supported in the year.',
  householdsSupported: 'Households (people) supported in the year.',
  individualsSupported:
    'adults: the victim-survivors supported, by gender; children: the children in their households (from the household recorded on the latest case); total = adults + children. Other adults in the household are not counted as supported.',
  stillInSupportAtYearEnd: 'People supported in the year whose support had not ended by 31 March.',
  specialistCharacteristics:
    'People (not additive: a person with several characteristics counts in each) with each characteristic recorded on a referral. male from gender (of the latest case); lgbtq also includes people recorded as trans or non-binary; aged16to25 and aged65plus from age at referral (inclusive).',
  ageBands:
    'People by age at referral of their latest supported case: under16, 16–25, 26–35, 36–45, 46–55, 56–64, 65 and over (inclusive bounds).',
  householdsUnableToBeSupported:
    'Households declined in the year (when the decline happened), each person once (their latest decline in the year); byReason counts the households that gave each reason, so reasons are not additive. Reasons not listed count as other.',
  householdsStoppedSupport:
    'Households whose support ended (case closed) in the year, each person once (their latest closure in the year), as planned or unplanned exits; byReason counts households per reason (not additive). Reasons not listed count as other.',
  supportTypes:
    'People supported in the year who were given each type of support (recorded when support ends; not additive).',
  lengthOfStay: `For the households that stopped receiving support in the year: whole months from installation to the end of support. ${MONTHS_RULE} ${BANDS_RULE}`,
};

const PIPELINE_DEFINITIONS: Record<string, string> = {
  stages:
    'Open cases (not closed, declined, cancelled or unsuccessful) by their current status, every open stage listed.',
  ageInStageDays: `Whole UK calendar days from the occurredAt of the event that moved the case into its current status to today. ${MEDIAN_RULE} oldest: the longest.`,
  flaggedOverdue: 'Cases in the stage that the chasing rules have flagged overdue.',
  overdueApprovals:
    'Pending approvals whose due time has passed, by kind; escalated: of those, the ones escalated to a manager.',
  overdueJobs:
    'unconfirmed: jobs offered and not confirmed by their confirm-by time; pastScheduledDate: jobs accepted whose scheduled time is more than a day past with no outcome.',
};

function zeroUnsuccessful(): UnsuccessfulCounts {
  return { total: 0, landlordRefusal: 0, consentTimeout: 0, cannotFit: 0, other: 0 };
}

function unsuccessfulOf(r: TargetHardeningRow | undefined): UnsuccessfulCounts {
  if (!r) return zeroUnsuccessful();
  return {
    total: r.landlordRefusal + r.consentTimeout + r.cannotFit + r.unsuccessfulOther,
    landlordRefusal: r.landlordRefusal,
    consentTimeout: r.consentTimeout,
    cannotFit: r.cannotFit,
    other: r.unsuccessfulOther,
  };
}

function tenureFigures(tenure: string, r: TargetHardeningRow | undefined): TenureFigures {
  return {
    tenure,
    referrals: r?.referrals ?? 0,
    installations: r?.installations ?? 0,
    conversionRate: ratio(r?.installations ?? 0, r?.referrals ?? 0),
    cancelled: r?.cancelled ?? 0,
    unsuccessful: unsuccessfulOf(r),
    daysReferralToInstall: { median: r?.medianDays ?? null, p90: r?.p90Days ?? null },
    resumedRelationship: r?.resumedRelationship ?? 0,
  };
}

function contractorFigures(r: TargetHardeningRow): ContractorFigures {
  return {
    contractorId: r.contractorId,
    name: r.contractorName,
    installations: r.installations,
    daysReferralToInstall: { median: r.medianDays, p90: r.p90Days },
    resumedRelationship: r.resumedRelationship,
  };
}

/** Builds an object with a camelCase key for every code, zero unless a row counts it. */
function countsByCode<K extends string>(
  codes: readonly string[],
  counts: Map<string, number>,
): Record<K, number> {
  return Object.fromEntries(codes.map((c) => [camelKey(c), counts.get(c) ?? 0])) as Record<
    K,
    number
  >;
}

@Injectable()
export class ReportsService {
  constructor(
    private readonly repo: ReportsRepository,
    private readonly clock: Clock,
  ) {}

  async pipeline(schemeId: string): Promise<PipelineResponse> {
    const now = this.clock.now();
    const rows = await this.repo.pipeline(schemeId, now, londonDate(now));
    const find = (section: string, key: string) =>
      rows.find((r) => r.section === section && r.key === key);
    const stages = OPEN_STAGES.map((stage) => {
      const r = find('stage', stage);
      return {
        stage,
        count: r?.count ?? 0,
        ageInStageDays: { median: r?.medianDays ?? null, oldest: r?.oldestDays ?? null },
        flaggedOverdue: r?.overdue ?? 0,
      };
    });
    const approvals = rows.filter((r) => r.section === 'approval');
    const sum = (rs: typeof rows, f: (r: (typeof rows)[number]) => number) =>
      rs.reduce((s, r) => s + f(r), 0);
    const overdueByKind = new Map(approvals.map((r) => [r.key, r.overdue]));
    const offered = find('job', 'offered');
    const accepted = find('job', 'accepted');
    const jobs = rows.filter((r) => r.section === 'job');
    return {
      asOf: now.toISOString(),
      openCases: stages.reduce((s, st) => s + st.count, 0),
      stages,
      overdue: {
        approvals: {
          pending: sum(approvals, (r) => r.count),
          total: sum(approvals, (r) => r.overdue),
          ...(countsByCode(APPROVAL_KINDS, overdueByKind) as {
            landlordConsent: number;
            cost: number;
            survey: number;
          }),
          escalated: sum(approvals, (r) => r.escalated),
        },
        jobs: {
          live: sum(jobs, (r) => r.count),
          total: sum(jobs, (r) => r.overdue),
          unconfirmed: offered?.overdue ?? 0,
          pastScheduledDate: accepted?.overdue ?? 0,
          escalated: sum(jobs, (r) => r.escalated),
        },
      },
      definitions: PIPELINE_DEFINITIONS,
    };
  }

  async targetHardening(schemeId: string, q: PeriodQuery): Promise<TargetHardeningResponse> {
    const period = this.period(q);
    const rows = await this.targetHardeningRows(schemeId, period);
    const figures = (
      label: string,
      from: string,
      to: string,
      quarterStart: string | null,
    ): PeriodFigures => {
      const mine = rows.filter((r) => r.quarterStart === quarterStart);
      const all = mine.find((r) => r.breakdown === 'all');
      const base = tenureFigures('', all);
      return {
        period: label,
        from,
        to,
        referrals: base.referrals,
        installations: base.installations,
        conversionRate: base.conversionRate,
        cancelled: base.cancelled,
        unsuccessful: base.unsuccessful,
        byTenure: TENURES.map((t) =>
          tenureFigures(
            t,
            mine.find((r) => r.breakdown === 'tenure' && r.tenure === t),
          ),
        ).concat(
          // A tenure code the reports do not know yet still shows rather than vanishing from the split.
          mine
            .filter(
              (r) =>
                r.breakdown === 'tenure' &&
                !(TENURES as readonly string[]).includes(r.tenure ?? ''),
            )
            .map((r) => tenureFigures(r.tenure ?? 'not_recorded', r)),
        ),
        byContractor: mine
          .filter((r) => r.breakdown === 'contractor')
          .sort(
            (a, b) =>
              (a.contractorName ?? '').localeCompare(b.contractorName ?? '') ||
              (a.contractorId ?? '').localeCompare(b.contractorId ?? ''),
          )
          .map(contractorFigures),
        daysReferralToInstall: base.daysReferralToInstall,
        resumedRelationship: base.resumedRelationship,
      };
    };
    return {
      from: period.from,
      to: period.to,
      timeZone: REPORT_TIME_ZONE,
      quarters: financialQuarters(period.from, period.to).map((qp) =>
        figures(qp.period, qp.from, qp.to, qp.quarterStart),
      ),
      total: figures('total', period.from, period.to, null),
      definitions: TARGET_HARDENING_DEFINITIONS,
    };
  }

  async lengthOfStay(schemeId: string, q: PeriodQuery): Promise<LengthOfStayResponse> {
    const period = this.period(q);
    const today = londonDate(this.clock.now());
    const rows = await this.repo.lengthOfStay(schemeId, period, today);
    const total = rows.find((r) => r.months === null);
    const histogram: MonthCount[] = rows
      .filter((r) => r.months !== null)
      .map((r) => ({ months: r.months!, count: r.count }));
    return {
      from: period.from,
      to: period.to,
      measuredTo: today,
      count: total?.count ?? 0,
      medianMonths: total?.medianMonths ?? null,
      histogramMonths: fillHistogram(histogram),
      bands: bandCounts(histogram),
      stillInSupport: total?.stillInSupport ?? 0,
      definitions: LENGTH_OF_STAY_DEFINITIONS,
    };
  }

  async annualReturn(schemeId: string, q: YearQuery): Promise<AnnualReturnResponse> {
    const year = q.year ?? financialYearOf(londonDate(this.clock.now()));
    const { from, to } = financialYearBounds(year);
    const rows = await this.repo.annualReturn(schemeId, this.bounds(from, to));
    const section = (name: string): Map<string, number> =>
      new Map(rows.filter((r) => r.section === name).map((r) => [r.key, r.value ?? 0]));
    const one = (name: string): number => rows.find((r) => r.section === name)?.value ?? 0;

    const genders = section('gender');
    // A gender code outside the list is reported as not known rather than dropped from the total.
    const unknownGender = [...genders]
      .filter(([g]) => !(GENDERS as readonly string[]).includes(g))
      .reduce((s, [, n]) => s + n, 0);
    const adults = {
      total: one('households'),
      female: genders.get('female') ?? 0,
      male: genders.get('male') ?? 0,
      transOrNonBinary: genders.get('trans_or_non_binary') ?? 0,
      notKnown: (genders.get('not_known') ?? 0) + unknownGender,
    };
    const children = one('children');
    const characteristics = section('characteristic');
    const exitKinds = section('exit_kind');
    const stayRows = [...section('stay_months')].map(([months, count]) => ({
      months: Number(months),
      count,
    }));
    const stayMedian = rows.find((r) => r.section === 'stay_median')?.value ?? null;
    const ages = section('age_band');

    return {
      year,
      financialYear: financialYearLabel(year),
      from,
      to,
      householdsSupported: one('households'),
      individualsSupported: { total: adults.total + children, adults, children },
      stillInSupportAtYearEnd: one('continuing'),
      specialistCharacteristics: {
        ...(countsByCode(
          RECORDED_CHARACTERISTICS.filter((c) => c !== 'lgbtq'),
          characteristics,
        ) as Record<
          'blackMinoritised' | 'disabled' | 'mentalHealth' | 'drug' | 'alcohol' | 'exOffender',
          number
        >),
        lgbtq: characteristics.get('lgbtq') ?? 0,
        male: characteristics.get('male') ?? 0,
        aged16to25: characteristics.get('aged_16_25') ?? 0,
        aged65plus: characteristics.get('aged_65_plus') ?? 0,
      },
      ageBands: Object.fromEntries(AGE_BANDS.map((b) => [b.key, ages.get(b.key) ?? 0])) as Record<
        AgeBand,
        number
      >,
      householdsUnableToBeSupported: {
        total: one('declined'),
        byReason: countsByCode(
          DECLINE_REASONS,
          section('declined_reason'),
        ) as AnnualReturnResponse['householdsUnableToBeSupported']['byReason'],
      },
      householdsStoppedSupport: {
        total: one('stopped'),
        planned: exitKinds.get('planned') ?? 0,
        unplanned: exitKinds.get('unplanned') ?? 0,
        notRecorded: [...exitKinds]
          .filter(([k]) => k !== 'planned' && k !== 'unplanned')
          .reduce((s, [, n]) => s + n, 0),
        byReason: countsByCode(
          EXIT_REASONS,
          section('exit_reason'),
        ) as AnnualReturnResponse['householdsStoppedSupport']['byReason'],
      },
      supportTypes: countsByCode(
        SUPPORT_TYPES,
        section('support_type'),
      ) as AnnualReturnResponse['supportTypes'],
      lengthOfStay: {
        count: one('stopped'),
        medianMonths: stayMedian,
        bands: bandCounts(stayRows) as MonthBands,
      },
      definitions: ANNUAL_RETURN_DEFINITIONS,
    };
  }

  /**
   * The target-hardening figures of a period as rows per quarter and breakdown: whole months come
   * from the trigger-kept monthly totals, the partial months at the ends from the cases.
   */
  protected async targetHardeningRows(
    schemeId: string,
    period: PeriodBounds,
  ): Promise<TargetHardeningRow[]> {
    const { cells, resumed, contractorNames } = await this.repo.targetHardeningCells(
      schemeId,
      period,
      splitMonths(period.from, period.to),
    );
    return targetHardeningRows(cells, resumed, contractorNames, UNSUCCESSFUL_REASONS);
  }

  /** The requested period (defaults: the financial year) as dates and as the instants they start and end. */
  private period(q: PeriodQuery): PeriodBounds {
    const { from, to } = resolvePeriod(q, londonDate(this.clock.now()));
    return this.bounds(from, to);
  }

  private bounds(from: string, to: string): PeriodBounds {
    return {
      from,
      to,
      startsAt: londonStartOfDay(from),
      endsBefore: londonStartOfDay(addDays(to, 1)),
    };
  }
}
