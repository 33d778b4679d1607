// Builders for cases through the public API.
import type TestAgent from 'supertest/lib/agent.js';
import type { DataSource } from 'typeorm';
import { bearer, type Scheme } from './app.js';

/** Personal data that must never show up outside encrypted columns and authorised answers. */
export const CANARY = {
  name: 'Zelda Canaryfield',
  phone: '07700 900777',
  line1: '17 Canary Wharf Lane',
  postcode: 'CV9 9ZZ',
  codeWord: 'bluebirdcanary',
  note: 'canary-note-perpetrator-detail',
};

export function caseBody(s: Scheme, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    serviceUser: {
      name: CANARY.name,
      dateOfBirth: '1990-01-31',
      gender: 'female',
      phone: CANARY.phone,
      safeContact: {
        canCall: true,
        canText: false,
        canLeaveVoicemail: false,
        safeTimes: 'weekdays 10-12',
        codeWord: CANARY.codeWord,
      },
    },
    address: { line1: CANARY.line1, town: 'Coventry', postcode: CANARY.postcode },
    household: { adults: 1, childrenAges: [4, 9] },
    tenure: 'housing_association',
    landlordId: s.landlordId,
    riskLevel: 'high',
    maracReferred: true,
    perpetratorLivesAtProperty: false,
    serviceUserConsents: true,
    referralSource: 'police',
    referralDate: '2026-11-02',
    characteristics: ['disabled'],
    priority: 'standard',
    accessNotes: 'side gate, ring twice',
    note: CANARY.note,
    ...over,
  };
}

export async function createCase(
  http: TestAgent,
  s: Scheme,
  over: Record<string, unknown> = {},
): Promise<{ id: string; version: number; reference: string }> {
  const res = await http.post('/api/v1/cases').set(bearer(s.idva.token)).send(caseBody(s, over));
  if (res.status !== 201) throw new Error(`create case: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function act(
  http: TestAgent,
  token: string,
  path: string,
  body: Record<string, unknown> = {},
  expectStatus = 200,
): Promise<any> {
  const res = await http.post(`/api/v1${path}`).set(bearer(token)).send(body);
  if (res.status !== expectStatus)
    throw new Error(
      `${path}: expected ${expectStatus}, got ${res.status} ${JSON.stringify(res.body)}`,
    );
  return res.body;
}

export const MEASURES = [
  { code: 'door_reinforcement', quantity: 1, location: 'front door', estimatedCost: 450 },
  { code: 'fire_retardant_letterbox', quantity: 1, location: 'front door', estimatedCost: 120 },
  { code: 'window_locks', quantity: 4, location: 'ground floor', estimatedCost: 160 },
];

/** Extra body fields for each step on the way to surveyed (a backdated occurredAt, other measures). */
export interface SurveyedOptions {
  accept?: Record<string, unknown>;
  survey?: Record<string, unknown>;
  result?: Record<string, unknown>;
}

/** Takes a new case to surveyed: accepted, survey booked and its result recorded. Returns the case. */
export async function toSurveyed(
  http: TestAgent,
  s: Scheme,
  over: Record<string, unknown> = {},
  opts: SurveyedOptions = {},
): Promise<any> {
  const c = await createCase(http, s, over);
  await act(http, s.idva.token, `/cases/${c.id}/accept`, opts.accept);
  await act(http, s.idva.token, `/cases/${c.id}/survey`, {
    scheduledFor: '2026-11-10T10:00:00Z',
    surveyor: 'Sam Surveyor',
    ...opts.survey,
  });
  return act(http, s.idva.token, `/cases/${c.id}/survey/result`, {
    measures: MEASURES,
    ...opts.result,
  });
}

/** Takes a tenancy case from referral to an accepted job. Returns ids. */
export async function toScheduled(
  http: TestAgent,
  s: Scheme,
  over: Record<string, unknown> = {},
): Promise<{ caseId: string; jobId: string; approvalId: string }> {
  const c = await toSurveyed(http, s, over);
  const approval = await act(http, s.idva.token, `/cases/${c.id}/consent-requests`, {}, 201);
  await act(http, s.idva.token, `/approvals/${approval.id}/decision`, {
    decision: 'granted',
    respondent: 'Housing officer',
  });
  const job = await act(
    http,
    s.idva.token,
    `/cases/${c.id}/install-jobs`,
    { contractorId: s.contractorId },
    201,
  );
  await act(http, s.installer.token, `/jobs/${job.id}/accept`, {
    scheduledFor: new Date(Date.now() + 86400000).toISOString(),
  });
  return { caseId: c.id, jobId: job.id, approvalId: approval.id };
}

/** Takes a new case to awaiting_consent; returns the case and its consent approval (with the link). */
export async function toAwaitingConsent(
  http: TestAgent,
  s: Scheme,
  over: Record<string, unknown> = {},
): Promise<{ caseId: string; reference: string; approval: any }> {
  const c = await toSurveyed(http, s, over, { survey: { scheduledFor: '2026-11-20T10:00:00Z' } });
  const approval = await act(http, s.idva.token, `/cases/${c.id}/consent-requests`, {}, 201);
  return { caseId: c.id, reference: c.reference, approval };
}

/**
 * Takes an owner-occupier case to surveyed with works over the scheme's cost threshold; returns the
 * case and its pending cost approval.
 */
export async function toAwaitingCostApproval(
  http: TestAgent,
  s: Scheme,
  measure: Record<string, unknown>,
): Promise<{ caseId: string; reference: string; approval: any }> {
  const c = await toSurveyed(
    http,
    s,
    { tenure: 'owner_occupier', landlordId: undefined },
    { result: { measures: [measure] } },
  );
  const res = await http
    .get('/api/v1/approvals?kind=cost&status=pending&limit=200')
    .set(bearer(s.manager.token));
  const approval = res.body.items?.find((x: { caseId: string }) => x.caseId === c.id);
  if (res.status !== 200 || !approval)
    throw new Error(`no pending cost approval: ${res.status} ${JSON.stringify(res.body)}`);
  return { caseId: c.id, reference: c.reference, approval };
}

/** n consent approvals already past their due date (as if the landlord never answered). */
export async function overdueConsents(
  t: { http: TestAgent; ds: DataSource },
  s: Scheme,
  n: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await toAwaitingConsent(t.http, s)).approval.id);
  await t.ds.query(
    `UPDATE approvals SET due_at = now() - interval '1 minute', next_chase_at = now() - interval '1 minute' WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return ids;
}
