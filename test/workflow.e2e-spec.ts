import {
  bearer,
  expectProblem,
  makeScheme,
  startApp,
  type Scheme,
  type TestApp,
} from './support/app.js';
import {
  act,
  CANARY,
  caseBody,
  createCase,
  toAwaitingConsent,
  toAwaitingCostApproval,
  toScheduled,
  toSurveyed,
} from './support/cases.js';

describe('case workflow', () => {
  let t: TestApp;
  let a: Scheme;
  let b: Scheme;

  beforeAll(async () => {
    t = await startApp();
    a = await makeScheme(t, 'Alpha');
    b = await makeScheme(t, 'Beta');
  });
  afterAll(async () => t?.close());

  describe('referral', () => {
    it('creates a case with a reference, encrypted personal data and a referred event', async () => {
      const res = await t.http.post('/api/v1/cases').set(bearer(a.idva.token)).send(caseBody(a));
      expect(res.status).toBe(201);
      expect(res.body).toEqual(
        expect.objectContaining({
          status: 'referred',
          version: 1,
          reference: expect.stringMatching(/^SAN-2026-\d{6}$/),
        }),
      );
      expect(res.body.serviceUser.name).toBe(CANARY.name);
      expect(res.body.ageBandAtReferral).toBe('26-64');
      const [row] = await t.ds.query(
        `SELECT row_to_json(c)::text AS j FROM cases c WHERE id = $1`,
        [res.body.id],
      );
      for (const v of Object.values(CANARY)) expect(row.j).not.toContain(v);
      const events = await t.ds.query(
        `SELECT row_to_json(e)::text AS j FROM case_events e WHERE case_id = $1`,
        [res.body.id],
      );
      for (const e of events) for (const v of Object.values(CANARY)) expect(e.j).not.toContain(v);
    });

    it('refuses a referral where the perpetrator lives at the property, or without consent', async () => {
      const r1 = await t.http
        .post('/api/v1/cases')
        .set(bearer(a.idva.token))
        .send(caseBody(a, { perpetratorLivesAtProperty: true }));
      expectProblem(r1, 422);
      expect(r1.body.detail).toMatch(/perpetrator/);
      expectProblem(
        await t.http
          .post('/api/v1/cases')
          .set(bearer(a.idva.token))
          .send(caseBody(a, { serviceUserConsents: false })),
        422,
      );
    });

    it('needs a landlord unless owner-occupier, and refuses an under-16 service user', async () => {
      expectProblem(
        await t.http
          .post('/api/v1/cases')
          .set(bearer(a.idva.token))
          .send(caseBody(a, { landlordId: undefined })),
        422,
      );
      await t.http
        .post('/api/v1/cases')
        .set(bearer(a.idva.token))
        .send(caseBody(a, { tenure: 'owner_occupier', landlordId: undefined }))
        .expect(201);
      expectProblem(
        await t.http
          .post('/api/v1/cases')
          .set(bearer(a.idva.token))
          .send(
            caseBody(a, {
              serviceUser: { name: 'Kid', dateOfBirth: '2015-01-01', gender: 'female' },
            }),
          ),
        422,
      );
      expectProblem(
        await t.http
          .post('/api/v1/cases')
          .set(bearer(a.idva.token))
          .send(caseBody(a, { landlordId: b.landlordId })),
        422,
      );
    });

    it('validates the body field by field', async () => {
      const res = await t.http
        .post('/api/v1/cases')
        .set(bearer(a.idva.token))
        .send(
          caseBody(a, {
            tenure: 'castle',
            referralDate: '2026-02-30',
            characteristics: ['martian'],
          }),
        );
      expectProblem(res, 400);
      const fields = res.body.errors.map((e: { field: string }) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['tenure', 'referralDate', 'characteristics']));
    });

    it('makes one case for retried creates with the same Idempotency-Key, 409 while running, 422 for a different body', async () => {
      const key = `key-${Date.now()}`;
      const send = (token: string, body = caseBody(a)) =>
        t.http.post('/api/v1/cases').set(bearer(token)).set('Idempotency-Key', key).send(body);
      const results = await Promise.all(Array.from({ length: 100 }, () => send(a.idva.token)));
      for (const r of results) expect([201, 409]).toContain(r.status);
      const created = results.filter((r) => r.status === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
      for (const r of results.filter((x) => x.status === 409))
        expect(r.body.code).toBe('IDEMPOTENCY_IN_PROGRESS');
      const retry = await send(a.idva.token);
      expect(retry.status).toBe(201);
      expect(retry.body.id).toBe(created[0].body.id);
      const [{ n }] = await t.ds.query(
        `SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1`,
        [key],
      );
      expect(n).toBe(1);
      expectProblem(await send(a.idva.token, caseBody(a, { riskLevel: 'medium' })), 422);
      // Another user's identical key is theirs alone: it makes their own case.
      const other = await send(a.idva2.token);
      expect(other.status).toBe(201);
      expect(other.body.id).not.toBe(created[0].body.id);
    });

    it('refuses fields a caller may not set, and stores nothing', async () => {
      for (const extra of [
        { status: 'closed' },
        { schemeId: b.id },
        { version: 9 },
        { id: '00000000-0000-4000-8000-000000000000' },
        { createdBy: a.manager.id },
      ]) {
        const res = await t.http
          .post('/api/v1/cases')
          .set(bearer(a.idva.token))
          .send({ ...caseBody(a), ...extra });
        expectProblem(res, 400);
      }
    });
  });

  describe('the standard path to closure', () => {
    it('goes referral → survey → consent → install → support → closed, with a timeline', async () => {
      const c = await toSurveyed(t.http, a);
      expect(c.status).toBe('surveyed');
      expect(c.estimatedCost).toBe(730);
      // The install cannot be ordered before consent.
      expectProblem(
        await t.http
          .post(`/api/v1/cases/${c.id}/install-jobs`)
          .set(bearer(a.idva.token))
          .send({ contractorId: a.contractorId }),
        422,
      );
      const approval = await act(t.http, a.idva.token, `/cases/${c.id}/consent-requests`, {}, 201);
      expect(approval).toEqual(
        expect.objectContaining({
          kind: 'landlord_consent',
          status: 'pending',
          chaseCount: 0,
          consentUrl: expect.stringContaining('/api/v1/consent/'),
        }),
      );
      const token = approval.consentUrl.split('/consent/')[1];
      const view = await t.http.get(`/api/v1/consent/${token}`).expect(200);
      expect(view.body.address.line1).toBe(CANARY.line1);
      expect(JSON.stringify(view.body)).not.toMatch(
        new RegExp(
          `${CANARY.name}|${CANARY.phone}|${CANARY.codeWord}|abuse|perpetrator|risk|marac`,
          'i',
        ),
      );
      await t.http
        .post(`/api/v1/consent/${token}`)
        .send({ decision: 'granted', name: 'Lana Landlord' })
        .expect(200);
      expectProblem(
        await t.http
          .post(`/api/v1/consent/${token}`)
          .send({ decision: 'refused', name: 'Lana Landlord' }),
        404,
      );
      expectProblem(await t.http.get(`/api/v1/consent/${token}`), 404);
      const job = await act(
        t.http,
        a.idva.token,
        `/cases/${c.id}/install-jobs`,
        { contractorId: a.contractorId },
        201,
      );
      expect(job).toEqual(
        expect.objectContaining({ status: 'offered', caseReference: c.reference }),
      );
      const seen = await t.http
        .get(`/api/v1/jobs/${job.id}`)
        .set(bearer(a.installer.token))
        .expect(200);
      expect(seen.body.address.line1).toBe(CANARY.line1);
      expect(seen.body.accessNotes).toBe('side gate, ring twice');
      expect(JSON.stringify(seen.body)).not.toMatch(
        new RegExp(`${CANARY.name}|${CANARY.codeWord}|riskLevel|marac|perpetrator|${c.id}`),
      );
      await act(t.http, a.installer.token, `/jobs/${job.id}/accept`, {
        scheduledFor: '2026-12-20T09:00:00Z',
      });
      const done = await act(t.http, a.installer.token, `/jobs/${job.id}/complete`, {
        measuresInstalled: [{ code: 'door_reinforcement', quantity: 1 }],
      });
      expect(done.status).toBe('completed');
      const after = await t.http
        .get(`/api/v1/jobs/${job.id}`)
        .set(bearer(a.installer.token))
        .expect(200);
      expect(after.body.address).toBeNull();
      expect(after.body.accessNotes).toBeNull();
      const review = await act(
        t.http,
        a.idva.token,
        `/cases/${c.id}/reviews`,
        { feelsSafer: 8, incidentsSinceInstall: 0, resumedRelationship: false },
        201,
      );
      expect(review.status).toBe('in_support');
      const closed = await act(t.http, a.idva.token, `/cases/${c.id}/close`, {
        exit: 'planned',
        reasons: ['support_completed'],
        supportTypes: ['advocacy', 'children'],
      });
      expect(closed.status).toBe('closed');
      expect(closed.outcome).toEqual({
        status: 'closed',
        exit: 'planned',
        reasons: ['support_completed'],
        supportTypes: ['advocacy', 'children'],
      });
      const tl = await t.http
        .get(`/api/v1/cases/${c.id}/timeline`)
        .set(bearer(a.idva.token))
        .expect(200);
      const statuses = tl.body
        .filter((e: { toStatus: string | null }) => e.toStatus)
        .map((e: { toStatus: string }) => e.toStatus);
      expect(statuses).toEqual([
        'referred',
        'accepted',
        'survey_booked',
        'surveyed',
        'awaiting_consent',
        'install_ordered',
        'install_scheduled',
        'in_support',
        'closed',
      ]);
      expect(tl.body[0]).toEqual(
        expect.objectContaining({
          type: 'referred',
          fromStatus: null,
          toStatus: 'referred',
          actorId: a.idva.id,
          occurredAt: expect.any(String),
          recordedAt: expect.any(String),
        }),
      );
      expect(tl.body[0].note).toBe(CANARY.note);
      const audit = await t.http
        .get(`/api/v1/cases/${c.id}/audit`)
        .set(bearer(a.manager.token))
        .expect(200);
      expect(audit.body.map((x: { action: string }) => x.action)).toEqual(
        expect.arrayContaining(['case.referred', 'case.closed', 'case.timeline_read']),
      );
      expectProblem(await t.http.get(`/api/v1/cases/${c.id}/audit`).set(bearer(a.idva.token)), 404);
    });

    it.each([
      ['a private tenancy', { tenure: 'private_rented', landlordIdFrom: 'privateLandlordId' }],
      ['an owner-occupier', { tenure: 'owner_occupier' }],
    ])('takes %s through every stage to closure', async (_label, o) => {
      const over: Record<string, unknown> = {
        tenure: o.tenure,
        landlordId: 'landlordIdFrom' in o ? a.privateLandlordId : undefined,
      };
      const c = await toSurveyed(t.http, a, over);
      if (o.tenure !== 'owner_occupier') {
        const ap = await act(t.http, a.idva.token, `/cases/${c.id}/consent-requests`, {}, 201);
        const token = ap.consentUrl.split('/consent/')[1];
        await t.http
          .post(`/api/v1/consent/${token}`)
          .send({ decision: 'granted', name: 'Private Landlord' })
          .expect(200);
      }
      const job = await act(
        t.http,
        a.idva.token,
        `/cases/${c.id}/install-jobs`,
        { contractorId: a.contractorId },
        201,
      );
      await act(t.http, a.installer.token, `/jobs/${job.id}/accept`, {
        scheduledFor: new Date(Date.now() + 86400000).toISOString(),
      });
      await act(t.http, a.installer.token, `/jobs/${job.id}/complete`, {
        measuresInstalled: [{ code: 'window_locks', quantity: 4 }],
      });
      await act(
        t.http,
        a.idva.token,
        `/cases/${c.id}/reviews`,
        { feelsSafer: 7, incidentsSinceInstall: 1, resumedRelationship: true },
        201,
      );
      const closed = await act(t.http, a.idva.token, `/cases/${c.id}/close`, {
        exit: 'unplanned',
        reasons: ['moved_in_with_perpetrator'],
        supportTypes: ['advocacy'],
      });
      expect(closed).toEqual(
        expect.objectContaining({
          status: 'closed',
          resumedRelationship: true,
          installedAt: expect.any(String),
          supportEndedAt: expect.any(String),
        }),
      );
    });

    it('lets an owner-occupier install go straight from surveyed', async () => {
      const c = await toSurveyed(t.http, a, { tenure: 'owner_occupier', landlordId: undefined });
      expectProblem(
        await t.http
          .post(`/api/v1/cases/${c.id}/consent-requests`)
          .set(bearer(a.idva.token))
          .send({}),
        422,
      );
      await act(
        t.http,
        a.manager.token,
        `/cases/${c.id}/install-jobs`,
        { contractorId: a.contractorId },
        201,
      );
    });

    it('needs a scheme manager to approve costs over the threshold', async () => {
      const { caseId, approval: cost } = await toAwaitingCostApproval(t.http, a, {
        code: 'door_replacement',
        quantity: 1,
        estimatedCost: 2500,
      });
      expect(cost.amount).toBe(2500);
      expectProblem(
        await t.http
          .post(`/api/v1/cases/${caseId}/install-jobs`)
          .set(bearer(a.idva.token))
          .send({ contractorId: a.contractorId }),
        422,
      );
      expectProblem(
        await t.http
          .post(`/api/v1/approvals/${cost.id}/decision`)
          .set(bearer(a.idva.token))
          .send({ decision: 'granted', respondent: 'me' }),
        404,
      );
      expectProblem(
        await t.http
          .post(`/api/v1/approvals/${cost.id}/decision`)
          .set(bearer(a.manager.token))
          .set('If-Match', '"9"')
          .send({ decision: 'granted', respondent: 'Mina' }),
        409,
      );
      await act(t.http, a.manager.token, `/approvals/${cost.id}/decision`, {
        decision: 'granted',
        respondent: 'Mina',
      });
      await act(
        t.http,
        a.idva.token,
        `/cases/${caseId}/install-jobs`,
        { contractorId: a.contractorId },
        201,
      );
      const tasks = await t.http.get('/api/v1/tasks').set(bearer(a.manager.token)).expect(200);
      expect(
        tasks.body.items.some(
          (x: { kind: string; caseId: string }) =>
            x.kind === 'cost_approval_needed' && x.caseId === caseId,
        ),
      ).toBe(true);
    });
  });

  describe('refusals and failures', () => {
    it('makes the case unsuccessful: landlord_refusal when the landlord refuses, and alerts once', async () => {
      const { caseId, approval } = await toAwaitingConsent(t.http, a);
      const d = await act(t.http, a.idva.token, `/approvals/${approval.id}/decision`, {
        decision: 'refused',
        respondent: 'Housing officer',
        reason: 'lease',
      });
      expect(d.status).toBe('refused');
      const got = await t.http.get(`/api/v1/cases/${caseId}`).set(bearer(a.idva.token)).expect(200);
      expect(got.body.status).toBe('unsuccessful');
      expect(got.body.outcome).toEqual({ status: 'unsuccessful', reason: 'landlord_refusal' });
      expectProblem(
        await t.http
          .post(`/api/v1/approvals/${approval.id}/decision`)
          .set(bearer(a.idva.token))
          .send({ decision: 'granted', respondent: 'x' }),
        409,
      );
      const idvaTasks = await t.http.get('/api/v1/tasks').set(bearer(a.idva.token)).expect(200);
      expect(
        idvaTasks.body.items.filter(
          (x: { kind: string; caseId: string }) =>
            x.kind === 'landlord_refusal' && x.caseId === caseId,
        ),
      ).toHaveLength(1);
      const mgrTasks = await t.http.get('/api/v1/tasks').set(bearer(a.manager.token)).expect(200);
      expect(
        mgrTasks.body.items.filter(
          (x: { kind: string; caseId: string }) =>
            x.kind === 'landlord_refusal' && x.caseId === caseId,
        ),
      ).toHaveLength(1);
      const mails = await t.ds.query(
        `SELECT subject FROM notifications WHERE case_id = $1 AND kind = 'landlord_refusal'`,
        [caseId],
      );
      expect(mails).toHaveLength(2);
    });

    it('makes the case unsuccessful when the installer is turned away on site', async () => {
      const { caseId, jobId } = await toScheduled(t.http, a);
      await act(t.http, a.installer.token, `/jobs/${jobId}/fail`, {
        reason: 'landlord_refused_on_site',
      });
      const got = await t.http
        .get(`/api/v1/cases/${caseId}`)
        .set(bearer(a.manager.token))
        .expect(200);
      expect(got.body.outcome).toEqual({ status: 'unsuccessful', reason: 'landlord_refusal' });
    });

    it('sends a declined job back to install-ready and tells the manager', async () => {
      const { caseId, jobId } = await toScheduled(t.http, a);
      await act(t.http, a.installer.token, `/jobs/${jobId}/decline`, { reason: 'no capacity' });
      const got = await t.http
        .get(`/api/v1/cases/${caseId}`)
        .set(bearer(a.manager.token))
        .expect(200);
      expect(got.body.status).toBe('awaiting_consent');
      await act(
        t.http,
        a.idva.token,
        `/cases/${caseId}/install-jobs`,
        { contractorId: a.contractorId },
        201,
      );
    });
  });

  describe('rules of the timeline', () => {
    it('refuses occurredAt in the future or before the previous event; accepts backdating', async () => {
      const c = await createCase(t.http, a, { referralDate: '2026-10-01' });
      const future = new Date(Date.now() + 3600_000).toISOString();
      expectProblem(
        await t.http
          .post(`/api/v1/cases/${c.id}/accept`)
          .set(bearer(a.idva.token))
          .send({ occurredAt: future }),
        422,
      );
      expectProblem(
        await t.http
          .post(`/api/v1/cases/${c.id}/accept`)
          .set(bearer(a.idva.token))
          .send({ occurredAt: '2026-09-30T10:00:00Z' }),
        422,
      );
      const ok = await act(t.http, a.idva.token, `/cases/${c.id}/accept`, {
        occurredAt: '2026-10-03T10:00:00+01:00',
      });
      expect(ok.statusChangedAt).toBe('2026-10-03T09:00:00.000Z');
      expectProblem(
        await t.http.post(`/api/v1/cases/${c.id}/survey`).set(bearer(a.idva.token)).send({
          scheduledFor: '2026-10-05T10:00:00Z',
          surveyor: 'S',
          occurredAt: '2026-10-02T10:00:00Z',
        }),
        422,
      );
      expectProblem(
        await t.http.post(`/api/v1/cases/${c.id}/survey`).set(bearer(a.idva.token)).send({
          scheduledFor: '2026-10-05T10:00:00Z',
          surveyor: 'S',
          occurredAt: '2026-10-04 10:00',
        }),
        400,
      );
    });

    it('refuses a stale If-Match and changes nothing', async () => {
      const c = await createCase(t.http, a);
      expectProblem(
        await t.http
          .post(`/api/v1/cases/${c.id}/accept`)
          .set(bearer(a.idva.token))
          .set('If-Match', '"7"')
          .send({}),
        409,
      );
      const got = await t.http.get(`/api/v1/cases/${c.id}`).set(bearer(a.idva.token)).expect(200);
      expect(got.body).toEqual(expect.objectContaining({ status: 'referred', version: 1 }));
      await t.http
        .post(`/api/v1/cases/${c.id}/accept`)
        .set(bearer(a.idva.token))
        .set('If-Match', '"1"')
        .send({})
        .expect(200);
    });

    it('lets exactly one of 50 parallel transitions with the same version win', async () => {
      const c = await createCase(t.http, a);
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          t.http
            .post(`/api/v1/cases/${c.id}/accept`)
            .set(bearer(a.idva.token))
            .set('If-Match', '"1"')
            .send({}),
        ),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 409)).toHaveLength(49);
    });

    it('names the allowed actions in a 409', async () => {
      const c = await createCase(t.http, a);
      const res = await t.http
        .post(`/api/v1/cases/${c.id}/close`)
        .set(bearer(a.idva.token))
        .send({ exit: 'planned', reasons: ['support_completed'], supportTypes: [] });
      expectProblem(res, 409);
      expect(res.body.allowed).toEqual(['accept', 'decline', 'cancel']);
      expect(res.body.detail).toMatch(/Allowed now: accept, decline, cancel/);
    });
  });

  describe('access', () => {
    it('hides another scheme’s cases, jobs and approvals with 404', async () => {
      const c = await createCase(t.http, a);
      expectProblem(await t.http.get(`/api/v1/cases/${c.id}`).set(bearer(b.idva.token)), 404);
      expectProblem(
        await t.http.post(`/api/v1/cases/${c.id}/accept`).set(bearer(b.idva.token)).send({}),
        404,
      );
      expectProblem(await t.http.get(`/api/v1/cases/${c.id}`).set(bearer(a.installer.token)), 404);
      expectProblem(await t.http.get(`/api/v1/cases/${c.id}`).set(bearer(t.adminToken)), 404);
      expectProblem(await t.http.get('/api/v1/cases').set(bearer(a.installer.token)), 403);
      expectProblem(await t.http.get('/api/v1/cases/not-a-uuid').set(bearer(a.idva.token)), 400);
      const list = await t.http
        .get('/api/v1/cases?limit=200')
        .set(bearer(b.manager.token))
        .expect(200);
      expect(list.body.items.find((x: { id: string }) => x.id === c.id)).toBeUndefined();
    });

    it('keeps restricted cases to named staff, with an audited break-glass', async () => {
      const c = await createCase(t.http, a);
      await t.http
        .patch(`/api/v1/cases/${c.id}`)
        .set(bearer(a.idva.token))
        .send({ restricted: true, restrictedTo: [a.idva.id] })
        .expect(200);
      expectProblem(await t.http.get(`/api/v1/cases/${c.id}`).set(bearer(a.idva2.token)), 404);
      const list = await t.http
        .get('/api/v1/cases?limit=200')
        .set(bearer(a.idva2.token))
        .expect(200);
      expect(list.body.items.find((x: { id: string }) => x.id === c.id)).toBeUndefined();
      await t.http.get(`/api/v1/cases/${c.id}`).set(bearer(a.manager.token)).expect(200);
      await t.http
        .get(`/api/v1/cases/${c.id}`)
        .set(bearer(a.idva2.token))
        .set('X-Access-Reason', 'Police called about an incident tonight')
        .expect(200);
      const tasks = await t.http.get('/api/v1/tasks').set(bearer(a.manager.token)).expect(200);
      expect(
        tasks.body.items.some(
          (x: { kind: string; caseId: string }) => x.kind === 'break_glass' && x.caseId === c.id,
        ),
      ).toBe(true);
    });

    it('shows installers only their contractor’s jobs', async () => {
      const { jobId } = await toScheduled(t.http, a);
      expectProblem(await t.http.get(`/api/v1/jobs/${jobId}`).set(bearer(b.installer.token)), 404);
      const mine = await t.http.get('/api/v1/jobs').set(bearer(a.installer.token)).expect(200);
      expect(mine.body.items.some((j: { id: string }) => j.id === jobId)).toBe(true);
      const theirs = await t.http.get('/api/v1/jobs').set(bearer(b.installer.token)).expect(200);
      expect(theirs.body.items.some((j: { id: string }) => j.id === jobId)).toBe(false);
      expectProblem(
        await t.http
          .post(`/api/v1/jobs/${jobId}/complete`)
          .set(bearer(a.idva.token))
          .send({ measuresInstalled: [{ code: 'door_chain', quantity: 1 }] }),
        404,
      );
    });
  });

  describe('emergency route', () => {
    it('orders the install before survey and consent, then chases the paperwork as approvals', async () => {
      const c = await createCase(t.http, a, { priority: 'emergency' });
      await act(t.http, a.idva.token, `/cases/${c.id}/accept`);
      expectProblem(
        await t.http
          .post(`/api/v1/cases/${c.id}/install-jobs`)
          .set(bearer(a.idva.token))
          .send({ contractorId: a.contractorId, emergency: true }),
        422,
      );
      const job = await act(
        t.http,
        a.idva.token,
        `/cases/${c.id}/install-jobs`,
        {
          contractorId: a.contractorId,
          emergency: true,
          verbalPermissionFrom: 'Housing duty officer',
        },
        201,
      );
      expect(job.priority).toBe('emergency');
      const pending = await t.http
        .get('/api/v1/approvals?status=pending')
        .set(bearer(a.manager.token))
        .expect(200);
      const kinds = pending.body.items
        .filter((x: { caseId: string }) => x.caseId === c.id)
        .map((x: { kind: string; retrospective: boolean }) => `${x.kind}:${x.retrospective}`);
      expect(kinds.sort()).toEqual(['landlord_consent:true', 'survey:true']);
      await act(t.http, a.installer.token, `/jobs/${job.id}/accept`, {
        scheduledFor: new Date(Date.now() + 3600_000).toISOString(),
      });
      await act(t.http, a.installer.token, `/jobs/${job.id}/complete`, {
        measuresInstalled: [{ code: 'lock_change', quantity: 2 }],
      });
      await act(t.http, a.idva.token, `/cases/${c.id}/survey/result`, {
        measures: [{ code: 'lock_change', quantity: 2, estimatedCost: 200 }],
      });
      const after = await t.http
        .get('/api/v1/approvals?kind=survey')
        .set(bearer(a.manager.token))
        .expect(200);
      expect(after.body.items.find((x: { caseId: string }) => x.caseId === c.id).status).toBe(
        'granted',
      );
      expectProblem(
        await t.http
          .post(`/api/v1/cases/${c.id}/install-jobs`)
          .set(bearer(a.idva.token))
          .send({ contractorId: a.contractorId, emergency: true, verbalPermissionFrom: 'x' }),
        409,
      );
    });

    it('refuses the emergency route for a standard case', async () => {
      const c = await createCase(t.http, a);
      await act(t.http, a.idva.token, `/cases/${c.id}/accept`);
      expectProblem(
        await t.http
          .post(`/api/v1/cases/${c.id}/install-jobs`)
          .set(bearer(a.idva.token))
          .send({ contractorId: a.contractorId, emergency: true, verbalPermissionFrom: 'x' }),
        422,
      );
    });
  });

  describe('other endings', () => {
    it('declines with reasons and cancels with a reason, withdrawing open approvals', async () => {
      const d = await createCase(t.http, a);
      const declined = await act(t.http, a.idva.token, `/cases/${d.id}/decline`, {
        reasons: ['no_capacity'],
      });
      expect(declined.outcome).toEqual({ status: 'declined', reasons: ['no_capacity'] });
      const { caseId, approval } = await toAwaitingConsent(t.http, a);
      await act(t.http, a.idva.token, `/cases/${caseId}/cancel`, { reason: 'moved' });
      const got = await t.http
        .get(`/api/v1/approvals/${approval.id}`)
        .set(bearer(a.idva.token))
        .expect(200);
      expect(got.body.status).toBe('withdrawn');
    });
  });
});
