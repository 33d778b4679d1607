// The shape of a `cases` row as the services read it, and the personal data held encrypted in
// `personal_enc` (never in a plain column, never in a log, never in a job payload).
import type { CaseStatus } from './case-state-machine.js';

export interface Personal {
  serviceUser: {
    name: string;
    dateOfBirth: string;
    phone?: string;
    safeContact?: {
      canCall: boolean;
      canText: boolean;
      canLeaveVoicemail: boolean;
      safeTimes?: string;
      codeWord?: string;
    };
  };
  address: { line1: string; line2?: string; town: string; postcode: string };
  childrenAges: number[];
  accessNotes?: string;
  verbalPermissionFrom?: string;
}

export interface Measure {
  code: string;
  quantity: number;
  location?: string;
  estimatedCost: number;
}

export interface CaseRow {
  id: string;
  schemeId: string;
  reference: string;
  status: CaseStatus;
  version: number;
  priority: 'standard' | 'emergency';
  tenure: string;
  landlordId: string | null;
  riskLevel: string;
  maracReferred: boolean;
  referralSource: string;
  referralDate: string;
  gender: string;
  ageAtReferral: number;
  characteristics: string[];
  householdAdults: number;
  householdChildren: number;
  personalEnc: string;
  restricted: boolean;
  restrictedTo: string[];
  assignedTo: string | null;
  createdBy: string;
  statusChangedAt: Date;
  lastEventAt: Date;
  measures: Measure[] | null;
  estimatedCost: string | null;
  emergencyRoute: boolean;
  contractorId: string | null;
  installedAt: Date | null;
  supportEndedAt: Date | null;
  outcomeReason: string | null;
  outcomeReasons: string[];
  exitKind: string | null;
  supportTypes: string[];
  resumedRelationship: boolean;
  overdue: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const CASE_SELECT = `
  c.id, c.scheme_id AS "schemeId", c.reference, c.status, c.version, c.priority, c.tenure,
  c.landlord_id AS "landlordId", c.risk_level AS "riskLevel", c.marac_referred AS "maracReferred",
  c.referral_source AS "referralSource", to_char(c.referral_date, 'YYYY-MM-DD') AS "referralDate",
  c.gender, c.age_at_referral AS "ageAtReferral", c.characteristics,
  c.household_adults AS "householdAdults", c.household_children AS "householdChildren",
  c.personal_enc AS "personalEnc", c.restricted, c.restricted_to AS "restrictedTo",
  c.assigned_to AS "assignedTo", c.created_by AS "createdBy", c.status_changed_at AS "statusChangedAt",
  c.last_event_at AS "lastEventAt", c.measures, c.estimated_cost AS "estimatedCost",
  c.emergency_route AS "emergencyRoute", c.contractor_id AS "contractorId", c.installed_at AS "installedAt",
  c.support_ended_at AS "supportEndedAt", c.outcome_reason AS "outcomeReason",
  c.outcome_reasons AS "outcomeReasons", c.exit_kind AS "exitKind", c.support_types AS "supportTypes",
  c.resumed_relationship AS "resumedRelationship", c.overdue, c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

/** Whole years between a date of birth and a date (both YYYY-MM-DD). */
export function ageOn(dateOfBirth: string, on: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number);
  const [y, m, d] = on.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** The national return's age groups: 16–25 and 65+. */
export function ageBand(age: number): '16-25' | '26-64' | '65+' | 'under_16' {
  if (age < 16) return 'under_16';
  if (age <= 25) return '16-25';
  if (age >= 65) return '65+';
  return '26-64';
}
