// The access contract of API.md and DESIGN.md, written down once, independently of the code: who
// may call each operation, which record its `{id}` names, and a valid request for it. Every
// operation the served document lists must be here, so a new endpoint cannot skip the checks.
import { randomBytes } from 'node:crypto';
import { PASSWORD } from '../../support/app.js';
import { caseBody, MEASURES } from '../../support/cases.js';
import type { Caller, Records, Role, World } from './world.js';

export type RecordKind = 'case' | 'approval' | 'job' | 'task' | 'consent' | 'user';

export interface OpContract {
  /** roles that may call it; `any` = every signed-in user; `public` = no token needed */
  roles: Role[] | 'any' | 'public';
  /** what the `{id}`/`{token}` of the path names */
  record?: RecordKind;
  /** a valid body for a caller of scheme A */
  body?: (w: World) => unknown;
  /** a valid body for the fuzzer, when the matrix's must not be used (it would spend a link) */
  fuzzBody?: (w: World) => unknown;
  query?: Record<string, string>;
  /** state-changing on a versioned record: the matrix sends a stale If-Match so nothing changes */
  ifMatch?: boolean;
  /** the status an allowed caller of the record's own scheme gets (default: 200 for GET) */
  ok?: number;
  /** the status an allowed caller of another scheme gets on a route without a record */
  otherScheme?: number;
  /** the role the fuzzer signs in as */
  fuzzAs?: Role;
}

const unique = (what: string) => `${what}-${randomBytes(4).toString('hex')}@test.local`;
const future = () => new Date(Date.now() + 3 * 86_400_000).toISOString();

export const CONTRACT: Record<string, OpContract> = {
  'POST /api/v1/auth/login': {
    roles: 'public',
    body: () => ({ email: unique('nobody'), password: 'not-the-password' }),
    ok: 401,
  },
  'GET /api/v1/me': { roles: 'any' },
  'POST /api/v1/users': {
    roles: ['admin', 'scheme_manager'],
    body: (w) => ({
      email: unique('user'),
      name: 'New Person',
      role: 'idva',
      password: PASSWORD,
      schemeId: w.a.id,
    }),
    ok: 201,
    otherScheme: 404,
    fuzzAs: 'scheme_manager',
  },
  'PATCH /api/v1/users/{id}': {
    roles: ['admin', 'scheme_manager'],
    record: 'user',
    body: () => ({ name: 'Isla Renamed' }),
    fuzzAs: 'scheme_manager',
  },
  'POST /api/v1/schemes': {
    roles: ['admin'],
    body: () => ({ name: 'Gamma', localAuthority: 'Gamma City Council' }),
    ok: 201,
  },
  'GET /api/v1/scheme/settings': { roles: ['scheme_manager'] },
  'PATCH /api/v1/scheme/settings': { roles: ['scheme_manager'], body: () => ({}) },
  'POST /api/v1/contractors': {
    roles: ['scheme_manager'],
    body: () => ({ name: 'New Fit Ltd', email: unique('fit'), phone: '024 7600 3333' }),
    ok: 201,
  },
  'GET /api/v1/contractors': { roles: ['scheme_manager'] },
  'POST /api/v1/landlords': {
    roles: ['idva', 'scheme_manager'],
    body: () => ({
      name: 'New Homes',
      kind: 'private',
      email: unique('homes'),
      phone: '024 7600 4444',
    }),
    ok: 201,
  },
  'GET /api/v1/landlords': { roles: ['idva', 'scheme_manager'] },
  'GET /health/live': { roles: 'public' },
  'GET /health/ready': { roles: 'public' },
  'POST /api/v1/cases': {
    roles: ['idva'],
    body: (w) => caseBody(w.a),
    ok: 201,
    otherScheme: 422, // scheme A's landlord is unknown in scheme B
  },
  'GET /api/v1/cases': { roles: ['idva', 'scheme_manager'] },
  'GET /api/v1/cases/{id}': { roles: ['idva', 'scheme_manager'], record: 'case' },
  'PATCH /api/v1/cases/{id}': {
    roles: ['idva', 'scheme_manager'],
    record: 'case',
    body: () => ({ riskLevel: 'medium' }),
    ifMatch: true,
  },
  'GET /api/v1/cases/{id}/timeline': { roles: ['idva', 'scheme_manager'], record: 'case' },
  'GET /api/v1/cases/{id}/audit': { roles: ['scheme_manager'], record: 'case' },
  'POST /api/v1/cases/{id}/accept': {
    roles: ['idva'],
    record: 'case',
    body: () => ({}),
    ifMatch: true,
  },
  'POST /api/v1/cases/{id}/decline': {
    roles: ['idva'],
    record: 'case',
    body: () => ({ reasons: ['other'] }),
    ifMatch: true,
  },
  'POST /api/v1/cases/{id}/survey': {
    roles: ['idva'],
    record: 'case',
    body: () => ({ scheduledFor: '2026-11-20T10:00:00Z', surveyor: 'Sam Surveyor' }),
    ifMatch: true,
  },
  'POST /api/v1/cases/{id}/survey/result': {
    roles: ['idva'],
    record: 'case',
    body: () => ({ measures: MEASURES }),
    ifMatch: true,
  },
  'POST /api/v1/cases/{id}/consent-requests': {
    roles: ['idva'],
    record: 'case',
    body: () => ({}),
    ifMatch: true,
  },
  'POST /api/v1/cases/{id}/install-jobs': {
    roles: ['idva', 'scheme_manager'],
    record: 'case',
    body: (w) => ({ contractorId: w.a.contractorId }),
    ifMatch: true,
  },
  'POST /api/v1/cases/{id}/cancel': {
    roles: ['idva'],
    record: 'case',
    body: () => ({ reason: 'withdrew' }),
    ifMatch: true,
  },
  'POST /api/v1/cases/{id}/unsuccessful': {
    roles: ['idva', 'scheme_manager'],
    record: 'case',
    body: () => ({ reason: 'other' }),
    ifMatch: true,
  },
  'POST /api/v1/cases/{id}/reviews': {
    roles: ['idva'],
    record: 'case',
    body: () => ({ feelsSafer: 7, incidentsSinceInstall: 0, resumedRelationship: false }),
    ifMatch: true,
  },
  'POST /api/v1/cases/{id}/close': {
    roles: ['idva'],
    record: 'case',
    body: () => ({ exit: 'planned', reasons: ['support_completed'], supportTypes: ['advocacy'] }),
    ifMatch: true,
  },
  'GET /api/v1/approvals': { roles: ['idva', 'scheme_manager'] },
  'GET /api/v1/approvals/{id}': { roles: ['idva', 'scheme_manager'], record: 'approval' },
  'POST /api/v1/approvals/{id}/decision': {
    roles: ['idva', 'scheme_manager'],
    record: 'approval',
    body: () => ({ decision: 'granted', respondent: 'Housing officer' }),
    ifMatch: true,
  },
  'GET /api/v1/consent/{token}': { roles: 'public', record: 'consent' },
  'POST /api/v1/consent/{token}': {
    roles: 'public',
    record: 'consent',
    // The matrix must not use up the link: an empty body is refused before the token is read.
    body: () => ({}),
    ok: 400,
    fuzzBody: () => ({ decision: 'granted', name: 'Lee Landlord' }),
  },
  'GET /api/v1/jobs': { roles: ['installer', 'scheme_manager'] },
  'GET /api/v1/jobs/{id}': { roles: ['installer', 'scheme_manager'], record: 'job' },
  'POST /api/v1/jobs/{id}/accept': {
    roles: ['installer'],
    record: 'job',
    body: () => ({ scheduledFor: future() }),
    ifMatch: true,
  },
  'POST /api/v1/jobs/{id}/decline': {
    roles: ['installer'],
    record: 'job',
    body: () => ({ reason: 'no capacity this month' }),
    ifMatch: true,
  },
  'POST /api/v1/jobs/{id}/complete': {
    roles: ['installer'],
    record: 'job',
    body: () => ({ measuresInstalled: [{ code: 'door_reinforcement', quantity: 1 }] }),
    ifMatch: true,
  },
  'POST /api/v1/jobs/{id}/fail': {
    roles: ['installer'],
    record: 'job',
    body: () => ({ reason: 'technical', notes: 'frame rotten' }),
    ifMatch: true,
  },
  'GET /api/v1/tasks': { roles: 'any' },
  'POST /api/v1/tasks/{id}/done': { roles: 'any', record: 'task' },
  'GET /api/v1/ops/queues': { roles: ['admin', 'scheme_manager'] },
  'POST /api/v1/ops/reconcile': { roles: ['admin', 'scheme_manager'] },
  'POST /api/v1/length-of-stay/measure': { roles: ['scheme_manager'] },
};

/** Reports are for scheme managers; their periods are given as query parameters. */
const REPORT: OpContract = {
  roles: ['scheme_manager'],
  query: { from: '2026-01-01', to: '2026-12-31', year: '2026' },
};

export function contractOf(key: string): OpContract | undefined {
  if (CONTRACT[key]) return CONTRACT[key];
  if (key.startsWith('GET /api/v1/reports/')) return REPORT;
  return undefined;
}

/** The query an operation's required parameters need (only the ones it declares). */
export function queryFor(c: OpContract, declared: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(c.query ?? {}).filter(([k]) => declared.includes(k)));
}

export function recordId(r: Records, kind: RecordKind | undefined): string | undefined {
  switch (kind) {
    case 'case':
      return r.caseId;
    case 'approval':
      return r.consentApprovalId;
    case 'job':
      return r.jobId;
    case 'task':
      return r.taskId;
    case 'consent':
      return r.consentToken;
    case 'user':
      return r.userId;
    default:
      return undefined;
  }
}

export function mayCall(c: OpContract, caller: Caller): boolean {
  if (c.roles === 'public') return true;
  if (caller.role === 'anonymous') return false;
  return c.roles === 'any' || c.roles.includes(caller.role);
}

/**
 * What the contract says a caller gets from an operation aimed at scheme A's records:
 * anonymous → 401; a role the endpoint is not for → 404 on records, 403 elsewhere; someone else's
 * record (another scheme, another contractor, another user's task) → 404.
 */
export function expectedStatus(c: OpContract, method: string, caller: Caller, w: World): number {
  const own = c.ok ?? (c.ifMatch ? 409 : method === 'post' && c.body ? 201 : 200);
  if (c.roles === 'public') return own;
  if (caller.role === 'anonymous') return 401;
  if (!mayCall(c, caller)) return c.record ? 404 : 403;
  if (c.record) {
    // Admins manage every scheme's staff.
    if (c.record === 'user' && caller.role === 'admin') return own;
    if (caller.scheme !== 'A') return 404;
    if (c.record === 'job' && caller.role === 'installer' && !caller.ownContractor) return 404;
    if (c.record === 'task' && caller.userId !== w.a.manager.id) return 404;
    return own;
  }
  if (caller.scheme === 'B' && c.otherScheme) return c.otherScheme;
  return own;
}
