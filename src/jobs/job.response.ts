// What an installer sees of a job is decided here, in one place: the address, access notes and safe
// contact arrangement only while the job is live (offered or accepted); never risk, perpetrator,
// history, names or other jobs. Scheme managers also see the case and contractor ids.
import type { Principal } from '../auth/principal.js';
import type { Personal } from '../cases/case-row.js';
import type { JobResponse } from './jobs.dto.js';

export interface JobRow {
  id: string;
  scheme_id: string;
  case_id: string;
  case_reference: string;
  contractor_id: string;
  status: string;
  version: number;
  priority: string;
  emergency: boolean;
  confirm_by: Date;
  scheduled_for: Date | null;
  next_chase_at: Date | null;
  chase_count: number;
  last_chased_at: Date | null;
  escalated_at: Date | null;
  measures: { code: string; quantity: number; location?: string; estimatedCost?: number }[];
  measures_installed: { code: string; quantity: number }[] | null;
  completed_at: Date | null;
  outcome_reason: string | null;
  created_at: Date;
  personal_enc: string;
}

export function toJobResponse(j: JobRow, viewer: Principal, personal: () => Personal): JobResponse {
  const live = j.status === 'offered' || j.status === 'accepted';
  const isInstaller = viewer.role === 'installer';
  const p = live || !isInstaller ? personal() : null;
  return {
    id: j.id,
    caseReference: j.case_reference,
    status: j.status,
    priority: j.priority,
    confirmBy: j.confirm_by.toISOString(),
    scheduledFor: j.scheduled_for?.toISOString() ?? null,
    measures: j.measures.map((x) => ({
      code: x.code,
      quantity: x.quantity,
      ...(x.location ? { location: x.location } : {}),
    })),
    address: p ? { ...p.address } : null,
    accessNotes: p?.accessNotes ?? null,
    safeContact: p?.serviceUser.safeContact
      ? {
          canCall: p.serviceUser.safeContact.canCall,
          canText: p.serviceUser.safeContact.canText,
          canLeaveVoicemail: p.serviceUser.safeContact.canLeaveVoicemail,
          safeTimes: p.serviceUser.safeContact.safeTimes ?? null,
          phone: p.serviceUser.phone ?? null,
        }
      : null,
    version: j.version,
    ...(isInstaller ? {} : { caseId: j.case_id, contractorId: j.contractor_id }),
    chaseCount: j.chase_count,
    lastChasedAt: j.last_chased_at?.toISOString() ?? null,
    escalatedAt: j.escalated_at?.toISOString() ?? null,
    measuresInstalled: j.measures_installed,
    completedAt: j.completed_at?.toISOString() ?? null,
    outcomeReason: j.outcome_reason,
    createdAt: j.created_at.toISOString(),
  };
}
