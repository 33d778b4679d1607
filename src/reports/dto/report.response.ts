// The shapes the reports answer with (JSON); the field names are the API contract. Every report
// carries `definitions`: how each figure was counted, in words a scheme manager can check.
import { ApiProperty } from '@nestjs/swagger';

const DEFINITIONS = {
  type: 'object',
  additionalProperties: { type: 'string' },
  description: 'How each figure is defined and counted',
} as const;
const NULLABLE_NUMBER = { type: Number, nullable: true } as const;

// ---- Pipeline ----

export class AgeInStageDays {
  @ApiProperty({
    ...NULLABLE_NUMBER,
    description: 'Median whole UK calendar days since the case entered the stage',
  })
  median: number | null;
  @ApiProperty({ ...NULLABLE_NUMBER, description: 'Longest time in the stage, in days' }) oldest:
    number | null;
}

export class PipelineStage {
  @ApiProperty({ example: 'awaiting_consent' }) stage: string;
  @ApiProperty() count: number;
  @ApiProperty({ type: AgeInStageDays }) ageInStageDays: AgeInStageDays;
  @ApiProperty({ description: 'Cases in this stage flagged overdue by the chasing rules' })
  flaggedOverdue: number;
}

export class OverdueApprovals {
  @ApiProperty({ description: 'Pending approvals (overdue or not)' }) pending: number;
  @ApiProperty({ description: 'Pending approvals past their due date' }) total: number;
  @ApiProperty() landlordConsent: number;
  @ApiProperty() cost: number;
  @ApiProperty() survey: number;
  @ApiProperty({ description: 'Overdue approvals already escalated to a manager' })
  escalated: number;
}

export class OverdueJobs {
  @ApiProperty({ description: 'Jobs offered or accepted (live)' }) live: number;
  @ApiProperty() total: number;
  @ApiProperty({ description: 'Offered and not confirmed by the confirm-by time' })
  unconfirmed: number;
  @ApiProperty({
    description: 'Accepted and more than a day past the scheduled date with no outcome',
  })
  pastScheduledDate: number;
  @ApiProperty() escalated: number;
}

export class PipelineOverdue {
  @ApiProperty({ type: OverdueApprovals }) approvals: OverdueApprovals;
  @ApiProperty({ type: OverdueJobs }) jobs: OverdueJobs;
}

export class PipelineResponse {
  @ApiProperty({ description: 'The instant the figures were taken' }) asOf: string;
  @ApiProperty() openCases: number;
  @ApiProperty({ type: [PipelineStage] }) stages: PipelineStage[];
  @ApiProperty({ type: PipelineOverdue }) overdue: PipelineOverdue;
  @ApiProperty(DEFINITIONS) definitions: Record<string, string>;
}

// ---- Target hardening ----

export class UnsuccessfulCounts {
  @ApiProperty() total: number;
  @ApiProperty() landlordRefusal: number;
  @ApiProperty() consentTimeout: number;
  @ApiProperty() cannotFit: number;
  @ApiProperty() other: number;
}

export class DaysSummary {
  @ApiProperty({ ...NULLABLE_NUMBER }) median: number | null;
  @ApiProperty({ ...NULLABLE_NUMBER, description: 'Nearest-rank 90th percentile' }) p90:
    number | null;
}

export class TenureFigures {
  @ApiProperty({
    enum: ['council', 'housing_association', 'private_rented', 'owner_occupier', 'other'],
  })
  tenure: string;
  @ApiProperty() referrals: number;
  @ApiProperty() installations: number;
  @ApiProperty({ ...NULLABLE_NUMBER }) conversionRate: number | null;
  @ApiProperty() cancelled: number;
  @ApiProperty({ type: UnsuccessfulCounts }) unsuccessful: UnsuccessfulCounts;
  @ApiProperty({ type: DaysSummary }) daysReferralToInstall: DaysSummary;
  @ApiProperty() resumedRelationship: number;
}

export class ContractorFigures {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) contractorId: string | null;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty() installations: number;
  @ApiProperty({ type: DaysSummary }) daysReferralToInstall: DaysSummary;
  @ApiProperty() resumedRelationship: number;
}

export class PeriodFigures {
  @ApiProperty({ example: '2025-26 Q1', description: 'Financial quarter, or "total"' })
  period: string;
  @ApiProperty({ example: '2025-04-01' }) from: string;
  @ApiProperty({ example: '2025-06-30' }) to: string;
  @ApiProperty() referrals: number;
  @ApiProperty() installations: number;
  @ApiProperty({ ...NULLABLE_NUMBER, description: 'installations ÷ referrals of the same period' })
  conversionRate: number | null;
  @ApiProperty() cancelled: number;
  @ApiProperty({ type: UnsuccessfulCounts }) unsuccessful: UnsuccessfulCounts;
  @ApiProperty({ type: [TenureFigures] }) byTenure: TenureFigures[];
  @ApiProperty({ type: [ContractorFigures] }) byContractor: ContractorFigures[];
  @ApiProperty({ type: DaysSummary }) daysReferralToInstall: DaysSummary;
  @ApiProperty() resumedRelationship: number;
}

export class TargetHardeningResponse {
  @ApiProperty({ example: '2025-04-01' }) from: string;
  @ApiProperty({ example: '2026-03-31' }) to: string;
  @ApiProperty({ example: 'Europe/London' }) timeZone: string;
  @ApiProperty({ type: [PeriodFigures] }) quarters: PeriodFigures[];
  @ApiProperty({ type: PeriodFigures }) total: PeriodFigures;
  @ApiProperty(DEFINITIONS) definitions: Record<string, string>;
}

// ---- Length of stay ----

export class MonthsCount {
  @ApiProperty() months: number;
  @ApiProperty() count: number;
}

export class MonthBands {
  @ApiProperty({ description: 'under 1 whole month' }) lt1: number;
  @ApiProperty({ description: '1 or 2 whole months (exactly 1 month is here)' }) m1to3: number;
  @ApiProperty({ description: '3 to 6 whole months inclusive (exactly 3 and exactly 6 are here)' })
  m3to6: number;
  @ApiProperty({ description: '7 whole months or more' }) gt6: number;
}

export class LengthOfStayResponse {
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ description: 'UK date stays still in support are measured to' })
  measuredTo: string;
  @ApiProperty() count: number;
  @ApiProperty({ ...NULLABLE_NUMBER }) medianMonths: number | null;
  @ApiProperty({ type: [MonthsCount] }) histogramMonths: MonthsCount[];
  @ApiProperty({ type: MonthBands }) bands: MonthBands;
  @ApiProperty() stillInSupport: number;
  @ApiProperty(DEFINITIONS) definitions: Record<string, string>;
}

// ---- Annual return ----

export class AdultsByGender {
  @ApiProperty() total: number;
  @ApiProperty() female: number;
  @ApiProperty() male: number;
  @ApiProperty() transOrNonBinary: number;
  @ApiProperty() notKnown: number;
}

export class IndividualsSupported {
  @ApiProperty({ description: 'adults + children' }) total: number;
  @ApiProperty({ type: AdultsByGender }) adults: AdultsByGender;
  @ApiProperty() children: number;
}

export class SpecialistCharacteristics {
  @ApiProperty() blackMinoritised: number;
  @ApiProperty() disabled: number;
  @ApiProperty() lgbtq: number;
  @ApiProperty() male: number;
  @ApiProperty() mentalHealth: number;
  @ApiProperty() drug: number;
  @ApiProperty() alcohol: number;
  @ApiProperty() exOffender: number;
  @ApiProperty() aged16to25: number;
  @ApiProperty() aged65plus: number;
}

export class AgeBands {
  @ApiProperty() under16: number;
  @ApiProperty() aged16to25: number;
  @ApiProperty() aged26to35: number;
  @ApiProperty() aged36to45: number;
  @ApiProperty() aged46to55: number;
  @ApiProperty() aged56to64: number;
  @ApiProperty() aged65plus: number;
}

export class DeclineReasons {
  @ApiProperty() noCapacity: number;
  @ApiProperty() unableToContact: number;
  @ApiProperty() declinedSupport: number;
  @ApiProperty() needsNotMet: number;
  @ApiProperty() notEligible: number;
  @ApiProperty() other: number;
}

export class UnableToBeSupported {
  @ApiProperty() total: number;
  @ApiProperty({ type: DeclineReasons }) byReason: DeclineReasons;
}

export class ExitReasons {
  @ApiProperty() supportCompleted: number;
  @ApiProperty() movedOtherSafeAccommodation: number;
  @ApiProperty() movedInWithPerpetrator: number;
  @ApiProperty() resumedRelationship: number;
  @ApiProperty() askedToLeave: number;
  @ApiProperty() disengaged: number;
  @ApiProperty() movedAway: number;
  @ApiProperty() other: number;
}

export class StoppedSupport {
  @ApiProperty() total: number;
  @ApiProperty() planned: number;
  @ApiProperty() unplanned: number;
  @ApiProperty({ description: 'Exit kind not recorded' }) notRecorded: number;
  @ApiProperty({ type: ExitReasons }) byReason: ExitReasons;
}

export class SupportTypes {
  @ApiProperty() advocacy: number;
  @ApiProperty() preventionAdvice: number;
  @ApiProperty() specialist: number;
  @ApiProperty() general: number;
  @ApiProperty() housingRelated: number;
  @ApiProperty() advice: number;
  @ApiProperty() children: number;
}

export class AnnualLengthOfStay {
  @ApiProperty() count: number;
  @ApiProperty({ ...NULLABLE_NUMBER }) medianMonths: number | null;
  @ApiProperty({ type: MonthBands }) bands: MonthBands;
}

export class AnnualReturnResponse {
  @ApiProperty({ example: 2025 }) year: number;
  @ApiProperty({ example: '2025-26' }) financialYear: string;
  @ApiProperty({ example: '2025-04-01' }) from: string;
  @ApiProperty({ example: '2026-03-31' }) to: string;
  @ApiProperty() householdsSupported: number;
  @ApiProperty({ type: IndividualsSupported }) individualsSupported: IndividualsSupported;
  @ApiProperty() stillInSupportAtYearEnd: number;
  @ApiProperty({ type: SpecialistCharacteristics })
  specialistCharacteristics: SpecialistCharacteristics;
  @ApiProperty({ type: AgeBands }) ageBands: AgeBands;
  @ApiProperty({ type: UnableToBeSupported }) householdsUnableToBeSupported: UnableToBeSupported;
  @ApiProperty({ type: StoppedSupport }) householdsStoppedSupport: StoppedSupport;
  @ApiProperty({ type: SupportTypes }) supportTypes: SupportTypes;
  @ApiProperty({ type: AnnualLengthOfStay }) lengthOfStay: AnnualLengthOfStay;
  @ApiProperty(DEFINITIONS) definitions: Record<string, string>;
}
