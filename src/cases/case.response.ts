// What staff see of a case. Summaries carry no address and no names unless asked for; the full
// case is decrypted only here, after the access check, and the read is audited by the caller.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { londonDate } from '../common/working-days.js';
import { ACTION_LABELS, allowedActions, CASE_STATUSES } from './case-state-machine.js';
import { ageBand, ageOn, type CaseRow, type Personal } from './case-row.js';
import { AddressView, HouseholdView, MeasureView, ServiceUserView } from './personal.response.js';

export class CaseSummaryResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'SAN-2026-000123' }) reference: string;
  @ApiProperty({ enum: CASE_STATUSES }) status: string;
  @ApiProperty() version: number;
  @ApiProperty({ enum: ['standard', 'emergency'] }) priority: string;
  @ApiProperty() tenure: string;
  @ApiProperty() riskLevel: string;
  @ApiProperty({ format: 'date' }) referralDate: string;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String }) assignedTo: string | null;
  @ApiProperty() restricted: boolean;
  @ApiProperty() overdue: boolean;
  @ApiProperty({ format: 'date-time' }) statusChangedAt: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({ description: 'only with ?include=names' }) serviceUserName?: string;
}

export class CaseResponse extends CaseSummaryResponse {
  @ApiProperty({ type: ServiceUserView }) serviceUser: ServiceUserView;
  @ApiProperty({ type: AddressView }) address: AddressView;
  @ApiProperty({ type: HouseholdView }) household: HouseholdView;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String }) landlordId: string | null;
  @ApiProperty() maracReferred: boolean;
  @ApiProperty() referralSource: string;
  @ApiProperty({ type: [String] }) characteristics: string[];
  @ApiProperty({ description: 'age band at referral: 16-25, 26-64, 65+' })
  ageBandAtReferral: string;
  @ApiProperty({ description: 'age band today' }) ageBand: string;
  @ApiProperty() perpetratorLivesAtProperty: boolean;
  @ApiProperty() serviceUserConsents: boolean;
  @ApiProperty({ type: [String] }) restrictedTo: string[];
  @ApiPropertyOptional({ nullable: true, type: [MeasureView] }) measures: MeasureView[] | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) estimatedCost: number | null;
  @ApiProperty() emergencyRoute: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) accessNotes: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) contractorId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) installedAt:
    string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) supportEndedAt:
    string | null;
  @ApiPropertyOptional({ nullable: true, type: Object }) outcome: Record<string, unknown> | null;
  @ApiProperty() resumedRelationship: boolean;
  @ApiProperty({ type: [String], description: 'actions the case allows now' })
  allowedActions: string[];
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class CasePage {
  @ApiProperty({ type: [CaseSummaryResponse] }) items: CaseSummaryResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class TimelineEventResponse {
  @ApiProperty() type: string;
  @ApiPropertyOptional({ nullable: true, type: String }) fromStatus: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) toStatus: string | null;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({ format: 'date-time' }) recordedAt: string;
  @ApiPropertyOptional({ nullable: true, type: String }) actorId: string | null;
  @ApiProperty({ type: Object }) data: Record<string, unknown>;
  @ApiPropertyOptional({ nullable: true, type: String }) note?: string | null;
}

export class AuditEntryResponse {
  @ApiProperty() action: string;
  @ApiPropertyOptional({ nullable: true, type: String }) actorId: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: Object }) data: Record<string, unknown>;
}

export function toCaseSummary(row: CaseRow, name?: string): CaseSummaryResponse {
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    version: row.version,
    priority: row.priority,
    tenure: row.tenure,
    riskLevel: row.riskLevel,
    referralDate: row.referralDate,
    assignedTo: row.assignedTo,
    restricted: row.restricted,
    overdue: row.overdue,
    statusChangedAt: row.statusChangedAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    ...(name !== undefined ? { serviceUserName: name } : {}),
  };
}

function outcomeOf(row: CaseRow): Record<string, unknown> | null {
  switch (row.status) {
    case 'declined':
      return { status: 'declined', reasons: row.outcomeReasons };
    case 'cancelled':
    case 'unsuccessful':
      return { status: row.status, reason: row.outcomeReason };
    case 'closed':
      return {
        status: 'closed',
        exit: row.exitKind,
        reasons: row.outcomeReasons,
        supportTypes: row.supportTypes,
      };
    default:
      return null;
  }
}

export function toCaseResponse(row: CaseRow, p: Personal, now: Date): CaseResponse {
  return {
    ...toCaseSummary(row),
    serviceUser: { ...p.serviceUser, gender: row.gender },
    address: p.address,
    household: { adults: row.householdAdults, childrenAges: p.childrenAges },
    landlordId: row.landlordId,
    maracReferred: row.maracReferred,
    referralSource: row.referralSource,
    characteristics: row.characteristics,
    ageBandAtReferral: ageBand(row.ageAtReferral),
    ageBand: ageBand(ageOn(p.serviceUser.dateOfBirth, londonDate(now))),
    // Eligibility was checked at referral: a case exists only when both held.
    perpetratorLivesAtProperty: false,
    serviceUserConsents: true,
    restrictedTo: row.restrictedTo,
    measures: row.measures,
    estimatedCost: row.estimatedCost === null ? null : Number(row.estimatedCost),
    emergencyRoute: row.emergencyRoute,
    accessNotes: p.accessNotes ?? null,
    contractorId: row.contractorId,
    installedAt: row.installedAt?.toISOString() ?? null,
    supportEndedAt: row.supportEndedAt?.toISOString() ?? null,
    outcome: outcomeOf(row),
    resumedRelationship: row.resumedRelationship,
    allowedActions: allowedActions(row.status).map((a) => ACTION_LABELS[a]),
    updatedAt: row.updatedAt.toISOString(),
  };
}
