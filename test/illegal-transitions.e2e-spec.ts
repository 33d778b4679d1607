// Every action endpoint against a case in every status, over HTTP: whatever the state machine's
// table forbids answers 409 (naming the allowed actions) and changes nothing.
import {
  canTransition,
  CASE_STATUSES,
  type CaseAction,
  type CaseStatus,
} from '../src/cases/case-state-machine.js';
import { bearer, makeScheme, startApp, type Scheme, type TestApp } from './support/app.js';
import { act, createCase, MEASURES } from './support/cases.js';

interface Endpoint {
  path: string;
  action: CaseAction | 'review' | 'revise_survey';
  body: (s: Scheme) => Record<string, unknown>;
}

const ENDPOINTS: Endpoint[] = [
  { path: 'accept', action: 'accept', body: () => ({}) },
  { path: 'decline', action: 'decline', body: () => ({ reasons: ['other'] }) },
  {
    path: 'survey',
    action: 'book_survey',
    body: () => ({ scheduledFor: '2026-11-20T10:00:00Z', surveyor: 'S' }),
  },
  { path: 'survey/result', action: 'record_survey', body: () => ({ measures: MEASURES }) },
  { path: 'consent-requests', action: 'request_consent', body: () => ({}) },
  {
    path: 'install-jobs',
    action: 'order_install',
    body: (s) => ({ contractorId: s.contractorId }),
  },
  { path: 'cancel', action: 'cancel', body: () => ({ reason: 'withdrew' }) },
  { path: 'unsuccessful', action: 'mark_unsuccessful', body: () => ({ reason: 'other' }) },
  {
    path: 'close',
    action: 'close',
    body: () => ({ exit: 'planned', reasons: ['support_completed'], supportTypes: [] }),
  },
  {
    path: 'reviews',
    action: 'review',
    body: () => ({ feelsSafer: 5, incidentsSinceInstall: 0, resumedRelationship: false }),
  },
];

function legal(e: Endpoint, status: CaseStatus): boolean {
  if (e.action === 'review') return status === 'in_support';
  // A survey result may be revised while the case waits for consent (no change of status).
  if (e.action === 'record_survey')
    return ['survey_booked', 'surveyed', 'awaiting_consent'].includes(status);
  return canTransition(e.action as CaseAction, status);
}

describe('illegal transitions over HTTP', () => {
  let t: TestApp;
  let s: Scheme;
  const inStatus = new Map<CaseStatus, string>();

  async function build(status: CaseStatus): Promise<string> {
    const c = await createCase(t.http, s);
    const tok = s.idva.token;
    const path = (p: string) => `/cases/${c.id}/${p}`;
    if (status === 'referred') return c.id;
    if (status === 'declined')
      return (await act(t.http, tok, path('decline'), { reasons: ['no_capacity'] })).id;
    if (status === 'cancelled')
      return (await act(t.http, tok, path('cancel'), { reason: 'moved' })).id;
    await act(t.http, tok, path('accept'));
    if (status === 'accepted') return c.id;
    if (status === 'unsuccessful')
      return (await act(t.http, tok, path('unsuccessful'), { reason: 'cannot_fit' })).id;
    await act(t.http, tok, path('survey'), { scheduledFor: '2026-11-20T10:00:00Z', surveyor: 'S' });
    if (status === 'survey_booked') return c.id;
    await act(t.http, tok, path('survey/result'), { measures: MEASURES });
    if (status === 'surveyed') return c.id;
    const approval = await act(t.http, tok, path('consent-requests'), {}, 201);
    if (status === 'awaiting_consent') return c.id;
    await act(t.http, tok, `/approvals/${approval.id}/decision`, {
      decision: 'granted',
      respondent: 'Officer',
    });
    const job = await act(t.http, tok, path('install-jobs'), { contractorId: s.contractorId }, 201);
    if (status === 'install_ordered') return c.id;
    await act(t.http, s.installer.token, `/jobs/${job.id}/accept`, {
      scheduledFor: new Date(Date.now() + 86400000).toISOString(),
    });
    if (status === 'install_scheduled') return c.id;
    await act(t.http, s.installer.token, `/jobs/${job.id}/complete`, {
      measuresInstalled: [{ code: 'door_chain', quantity: 1 }],
    });
    if (status === 'in_support') return c.id;
    await act(t.http, tok, path('close'), {
      exit: 'unplanned',
      reasons: ['disengaged'],
      supportTypes: ['advocacy'],
    });
    return c.id;
  }

  beforeAll(async () => {
    t = await startApp();
    s = await makeScheme(t, 'Matrix');
    for (const status of CASE_STATUSES) inStatus.set(status, await build(status));
  });
  afterAll(async () => t?.close());

  const cases = CASE_STATUSES.flatMap((status) =>
    ENDPOINTS.filter((e) => !legal(e, status)).map((e) => [status, e.path, e] as const),
  );

  it.each(cases)('from %s, POST %s answers 409 and changes nothing', async (status, _path, e) => {
    const id = inStatus.get(status)!;
    const before = await t.http.get(`/api/v1/cases/${id}`).set(bearer(s.manager.token)).expect(200);
    expect(before.body.status).toBe(status);
    const token =
      e.path === 'install-jobs' || e.path === 'unsuccessful' ? s.manager.token : s.idva.token;
    const res = await t.http
      .post(`/api/v1/cases/${id}/${e.path}`)
      .set(bearer(token))
      .send(e.body(s));
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('CASE_ILLEGAL_TRANSITION');
    expect(Array.isArray(res.body.allowed)).toBe(true);
    const after = await t.http.get(`/api/v1/cases/${id}`).set(bearer(s.manager.token)).expect(200);
    expect(after.body.version).toBe(before.body.version);
    expect(after.body.status).toBe(status);
  });
});
