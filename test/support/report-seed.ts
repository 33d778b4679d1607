// Writes case rows straight into the test database, as the workflow would leave them, so report
// figures can be checked against hand-computed answers without driving every case through the API.
import type { TestApp } from './app.js';

export interface SeedCase {
  ref: string;
  person: string;
  status: string;
  referralDate: string;
  tenure?: string;
  statusChangedAt?: string;
  installedAt?: string;
  supportEndedAt?: string;
  contractorId?: string;
  outcomeReason?: string;
  outcomeReasons?: string[];
  exitKind?: string;
  supportTypes?: string[];
  resumed?: boolean;
  gender?: string;
  age?: number;
  characteristics?: string[];
  adults?: number;
  children?: number;
  overdue?: boolean;
}

/** Inserts a case; status_changed_at defaults to the event that set its status (end of support, installation, referral). */
export async function seedCase(
  t: TestApp,
  schemeId: string,
  createdBy: string,
  c: SeedCase,
): Promise<string> {
  const changed =
    c.statusChangedAt ?? c.supportEndedAt ?? c.installedAt ?? `${c.referralDate}T09:00:00Z`;
  const rows: { id: string }[] = await t.ds.query(
    `INSERT INTO cases (scheme_id, reference, status, priority, tenure, risk_level, marac_referred, referral_source,
        referral_date, gender, age_at_referral, characteristics, household_adults, household_children, person_hash,
        postcode_hash, personal_enc, created_by, status_changed_at, last_event_at, contractor_id, installed_at,
        support_ended_at, outcome_reason, outcome_reasons, exit_kind, support_types, resumed_relationship, overdue)
     VALUES ($1, $2, $3, 'standard', $4, 'medium', false, 'idva', $5, $6, $7, $8, $9, $10, $11, 'pc', 'enc', $12, $13, $13,
        $14, $15, $16, $17, $18, $19, $20, $21, $22)
     RETURNING id`,
    [
      schemeId,
      c.ref,
      c.status,
      c.tenure ?? 'council',
      c.referralDate,
      c.gender ?? 'female',
      c.age ?? 35,
      c.characteristics ?? [],
      c.adults ?? 1,
      c.children ?? 0,
      c.person,
      createdBy,
      changed,
      c.contractorId ?? null,
      c.installedAt ?? null,
      c.supportEndedAt ?? null,
      c.outcomeReason ?? null,
      c.outcomeReasons ?? [],
      c.exitKind ?? null,
      c.supportTypes ?? [],
      c.resumed ?? false,
      c.overdue ?? false,
    ],
  );
  return rows[0].id;
}

export async function seedApproval(
  t: TestApp,
  schemeId: string,
  caseId: string,
  a: { kind: string; status: string; dueAt: string; escalatedAt?: string },
): Promise<void> {
  await t.ds.query(
    `INSERT INTO approvals (scheme_id, case_id, kind, status, due_at, escalated_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [schemeId, caseId, a.kind, a.status, a.dueAt, a.escalatedAt ?? null],
  );
}

export async function seedJob(
  t: TestApp,
  schemeId: string,
  caseId: string,
  j: { contractorId: string; status: string; confirmBy: string; scheduledFor?: string },
): Promise<void> {
  await t.ds.query(
    `INSERT INTO jobs (scheme_id, case_id, contractor_id, status, priority, confirm_by, scheduled_for)
     VALUES ($1, $2, $3, $4, 'standard', $5, $6)`,
    [schemeId, caseId, j.contractorId, j.status, j.confirmBy, j.scheduledFor ?? null],
  );
}
