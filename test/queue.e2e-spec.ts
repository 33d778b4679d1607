import { Redis } from 'ioredis';
import { ChaseService } from '../src/queue/chase.service.js';
import {
  bearer,
  eventually,
  expectProblem,
  makeScheme,
  startApp,
  type Scheme,
  type TestApp,
} from './support/app.js';
import {
  act,
  CANARY,
  createCase,
  toAwaitingConsent,
  toAwaitingCostApproval,
  toScheduled,
  toSurveyed,
} from './support/cases.js';
import { SmtpSink } from './support/smtp-sink.js';

const DAY = 86_400_000;

describe('queued jobs', () => {
  let t: TestApp;
  let a: Scheme;
  let sink: SmtpSink;
  let landlordEmail: string;

  beforeAll(async () => {
    sink = new SmtpSink();
    const smtp = await sink.start();
    t = await startApp({ SMTP_URL: smtp });
    a = await makeScheme(t, 'Alpha');
    const l = await t.http.get('/api/v1/landlords?limit=10').set(bearer(a.idva.token)).expect(200);
    landlordEmail = l.body.items.find((x: { id: string }) => x.id === a.landlordId).email;
  });
  afterAll(async () => {
    await t?.close();
    await sink?.stop();
  });

  const reconcile = () =>
    t.http.post('/api/v1/ops/reconcile').set(bearer(a.manager.token)).expect(200);
  const approval = async (id: string) =>
    (await t.http.get(`/api/v1/approvals/${id}`).set(bearer(a.manager.token)).expect(200)).body;
  const tasks = async (token: string) =>
    (await t.http.get('/api/v1/tasks?limit=200').set(bearer(token)).expect(200)).body.items as {
      kind: string;
      caseId: string | null;
      approvalId: string | null;
      jobId: string | null;
    }[];

  async function awaitingConsent(): Promise<{ caseId: string; approvalId: string; url: string }> {
    const { caseId, approval: ap } = await toAwaitingConsent(t.http, a);
    return { caseId, approvalId: ap.id, url: ap.consentUrl };
  }

  it('emails the landlord the consent link, with nothing about abuse', async () => {
    const { url } = await awaitingConsent();
    const mail = await eventually(async () => {
      const m = sink.to(landlordEmail).find((x) => x.raw.includes(url));
      if (!m) throw new Error('no consent email yet');
      return m;
    });
    expect(mail.raw).toContain(CANARY.line1);
    expect(mail.raw).not.toMatch(
      new RegExp(
        `abuse|violence|perpetrator|idva|risk|marac|${CANARY.name}|${CANARY.phone}|${CANARY.codeWord}`,
        'i',
      ),
    );
  });

  it('chases an unanswered consent every N working days, then escalates to the manager', async () => {
    const { caseId, approvalId, url } = await awaitingConsent();
    const before = await approval(approvalId);
    t.clock.set(new Date(new Date(before.dueAt).getTime() + 60_000));
    await reconcile();
    await eventually(async () => expect((await approval(approvalId)).chaseCount).toBe(1));
    await eventually(async () =>
      expect(
        sink.to(landlordEmail).filter((x) => x.raw.includes(url) && /Reminder/.test(x.subject)),
      ).toHaveLength(1),
    );
    expect(
      (await tasks(a.idva.token)).filter(
        (x) => x.kind === 'consent_chased' && x.approvalId === approvalId,
      ),
    ).toHaveLength(1);
    // A second reconcile before the next chase is due changes nothing.
    await reconcile();
    for (let n = 2; n <= 3; n++) {
      t.clock.advance(10 * DAY);
      await reconcile();
      await eventually(async () => expect((await approval(approvalId)).chaseCount).toBe(n));
    }
    t.clock.advance(10 * DAY);
    await reconcile();
    await eventually(async () => expect((await approval(approvalId)).escalatedAt).not.toBeNull());
    expect((await approval(approvalId)).overdue).toBe(true);
    expect(
      (await tasks(a.manager.token)).filter(
        (x) => x.kind === 'consent_escalated' && x.approvalId === approvalId,
      ),
    ).toHaveLength(1);
    const c = await t.http.get(`/api/v1/cases/${caseId}`).set(bearer(a.idva.token)).expect(200);
    expect(c.body.overdue).toBe(true);
    const overdueList = await t.http
      .get('/api/v1/cases?overdue=true&limit=200')
      .set(bearer(a.idva.token))
      .expect(200);
    expect(overdueList.body.items.some((x: { id: string }) => x.id === caseId)).toBe(true);
    const tl = await t.http
      .get(`/api/v1/cases/${caseId}/timeline`)
      .set(bearer(a.idva.token))
      .expect(200);
    expect(tl.body.filter((e: { type: string }) => e.type === 'approval_chased')).toHaveLength(3);
    expect(tl.body.filter((e: { type: string }) => e.type === 'approval_escalated')).toHaveLength(
      1,
    );
    t.clock.set(new Date());
  });

  it('sends one chase when the same job is delivered twice or to two workers at once', async () => {
    const { approvalId } = await awaitingConsent();
    const due = new Date((await approval(approvalId)).dueAt);
    t.clock.set(new Date(due.getTime() + 1000));
    const chase = t.app.get(ChaseService);
    const outcomes = await Promise.all([
      chase.chaseApproval(approvalId),
      chase.chaseApproval(approvalId),
      chase.chaseApproval(approvalId),
    ]);
    expect(outcomes.filter((o) => o === 'chased')).toHaveLength(1);
    expect(await chase.chaseApproval(approvalId)).toBe('not_due');
    const events = await t.ds.query(
      `SELECT count(*)::int AS n FROM case_events WHERE type = 'approval_chased' AND data->>'approvalId' = $1`,
      [approvalId],
    );
    expect(events[0].n).toBe(1);
    t.clock.set(new Date());
  });

  it('loses no chase when Redis is flushed: the reconciler rebuilds it from PostgreSQL', async () => {
    const { approvalId } = await awaitingConsent();
    await eventually(async () => {
      const [{ n }] = await t.ds.query(
        `SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`,
      );
      expect(n).toBe(0);
    });
    const r = new Redis('redis://127.0.0.1:6379');
    const keys = await r.keys(`${t.prefix}:bull:*`);
    expect(keys.length).toBeGreaterThan(0);
    await r.del(...keys);
    r.disconnect();
    t.clock.set(new Date(new Date((await approval(approvalId)).dueAt).getTime() + 1000));
    await reconcile();
    await eventually(async () => expect((await approval(approvalId)).chaseCount).toBe(1));
    t.clock.set(new Date());
  });

  it('keeps job payloads to ids: no personal data in Redis', async () => {
    await awaitingConsent();
    const r = new Redis('redis://127.0.0.1:6379');
    const keys = await r.keys(`${t.prefix}:*`);
    let dump = keys.join('\n');
    for (const k of keys) {
      const type = await r.type(k);
      if (type === 'hash') dump += JSON.stringify(await r.hgetall(k));
      else if (type === 'string') dump += await r.get(k);
      else if (type === 'list') dump += (await r.lrange(k, 0, -1)).join();
      else if (type === 'zset') dump += (await r.zrange(k, 0, -1)).join();
      else if (type === 'set') dump += (await r.smembers(k)).join();
    }
    r.disconnect();
    for (const v of Object.values(CANARY)) expect(dump).not.toContain(v);
    expect(dump).not.toContain(landlordEmail);
  });

  it('chases a contractor who has not accepted by confirmBy, then escalates', async () => {
    const c = await toSurveyed(t.http, a, { tenure: 'owner_occupier', landlordId: undefined });
    const job = await act(
      t.http,
      a.idva.token,
      `/cases/${c.id}/install-jobs`,
      { contractorId: a.contractorId },
      201,
    );
    const getJob = async () =>
      (await t.http.get(`/api/v1/jobs/${job.id}`).set(bearer(a.manager.token)).expect(200)).body;
    t.clock.set(new Date(new Date(job.confirmBy).getTime() + 1000));
    await reconcile();
    await eventually(async () => expect((await getJob()).chaseCount).toBe(1));
    expect(
      (await tasks(a.installer.token)).some((x) => x.kind === 'job_chased' && x.jobId === job.id),
    ).toBe(true);
    for (let n = 2; n <= 3; n++) {
      t.clock.advance(73 * 3600_000);
      await reconcile();
      await eventually(async () => expect((await getJob()).chaseCount).toBe(n));
    }
    t.clock.advance(73 * 3600_000);
    await reconcile();
    await eventually(async () => expect((await getJob()).escalatedAt).not.toBeNull());
    expect(
      (await tasks(a.manager.token)).some((x) => x.kind === 'job_escalated' && x.jobId === job.id),
    ).toBe(true);
    t.clock.set(new Date());
  });

  it('chases the installer when an accepted job has no outcome a working day after its date', async () => {
    const { jobId } = await toScheduled(t.http, a);
    const job = (await t.http.get(`/api/v1/jobs/${jobId}`).set(bearer(a.manager.token)).expect(200))
      .body;
    t.clock.set(new Date(new Date(job.scheduledFor).getTime() + 5 * DAY));
    await reconcile();
    await eventually(async () =>
      expect(
        (await t.http.get(`/api/v1/jobs/${jobId}`).set(bearer(a.manager.token))).body.chaseCount,
      ).toBe(1),
    );
    expect(
      (await tasks(a.installer.token)).some(
        (x) => x.kind === 'job_outcome_chased' && x.jobId === jobId,
      ),
    ).toBe(true);
    t.clock.set(new Date());
  });

  it('reminds the IDVA when a review falls due and chases when it is overdue; a review clears it', async () => {
    const { caseId, jobId } = await toScheduled(t.http, a);
    await act(t.http, a.installer.token, `/jobs/${jobId}/complete`, {
      measuresInstalled: [{ code: 'door_chain', quantity: 1 }],
    });
    t.clock.advance(8 * DAY);
    await reconcile();
    await eventually(async () =>
      expect(
        (await tasks(a.idva.token)).filter((x) => x.kind === 'review_due' && x.caseId === caseId),
      ).toHaveLength(1),
    );
    t.clock.advance(8 * DAY);
    await reconcile();
    await eventually(async () =>
      expect(
        (await tasks(a.idva.token)).filter(
          (x) => x.kind === 'review_overdue' && x.caseId === caseId,
        ),
      ).toHaveLength(1),
    );
    await act(
      t.http,
      a.idva.token,
      `/cases/${caseId}/reviews`,
      { feelsSafer: 9, incidentsSinceInstall: 0, resumedRelationship: false },
      201,
    );
    const [sched] = await t.ds.query(
      `SELECT done_at FROM review_schedules WHERE case_id = $1 AND offset_days = 7`,
      [caseId],
    );
    expect(sched.done_at).not.toBeNull();
    t.clock.set(new Date());
  });

  it('alerts the IDVA and managers by email once when the landlord refuses through the link', async () => {
    const { caseId, url } = await awaitingConsent();
    const token = url.split('/consent/')[1];
    await t.http
      .post(`/api/v1/consent/${token}`)
      .send({ decision: 'refused', name: 'Lana Landlord', reason: 'no alterations' })
      .expect(200);
    const c = await t.http.get(`/api/v1/cases/${caseId}`).set(bearer(a.idva.token)).expect(200);
    expect(c.body.outcome).toEqual({ status: 'unsuccessful', reason: 'landlord_refusal' });
    await eventually(async () => {
      const refusalMails = sink.messages.filter(
        (m) => m.subject.includes(c.body.reference) && /refused/.test(m.subject),
      );
      expect(refusalMails).toHaveLength(2);
      expect(refusalMails.every((m) => /other safe accommodation/.test(m.raw))).toBe(true);
    });
    // The sink has the message a moment before the worker commits "sent".
    await eventually(async () => {
      const [{ n }] = await t.ds.query(
        `SELECT count(*)::int AS n FROM notifications WHERE case_id = $1 AND kind = 'landlord_refusal' AND status = 'sent'`,
        [caseId],
      );
      expect(n).toBe(2);
    });
  });

  it('measures length of stay, incrementally, including backdated installs and closures', async () => {
    const c = await toSurveyed(
      t.http,
      a,
      { tenure: 'owner_occupier', landlordId: undefined, referralDate: '2026-01-05' },
      {
        accept: { occurredAt: '2026-01-06T10:00:00Z' },
        survey: { scheduledFor: '2026-01-08T10:00:00Z', occurredAt: '2026-01-06T11:00:00Z' },
        result: { occurredAt: '2026-01-08T12:00:00Z' },
      },
    );
    const job = await act(
      t.http,
      a.idva.token,
      `/cases/${c.id}/install-jobs`,
      { contractorId: a.contractorId, occurredAt: '2026-01-09T09:00:00Z' },
      201,
    );
    await act(t.http, a.installer.token, `/jobs/${job.id}/accept`, {
      scheduledFor: '2026-01-15T09:00:00Z',
      occurredAt: '2026-01-09T12:00:00Z',
    });
    await act(t.http, a.installer.token, `/jobs/${job.id}/complete`, {
      occurredAt: '2026-01-15T15:00:00Z',
      measuresInstalled: [{ code: 'door_chain', quantity: 1 }],
    });
    t.clock.set(new Date('2026-06-20T12:00:00Z'));
    const first = await t.http
      .post('/api/v1/length-of-stay/measure')
      .set(bearer(a.manager.token))
      .expect(200);
    expect(first.body.measured).toBeGreaterThanOrEqual(1);
    let [row] = await t.ds.query(
      `SELECT months, still_in_support FROM length_of_stay WHERE case_id = $1`,
      [c.id],
    );
    expect(row).toEqual({ months: 5, still_in_support: true });
    const again = await t.http
      .post('/api/v1/length-of-stay/measure')
      .set(bearer(a.manager.token))
      .expect(200);
    expect(again.body.measured).toBe(0);
    await act(t.http, a.idva.token, `/cases/${c.id}/close`, {
      occurredAt: '2026-04-20T10:00:00+01:00',
      exit: 'planned',
      reasons: ['support_completed'],
      supportTypes: ['advocacy'],
    });
    await t.http.post('/api/v1/length-of-stay/measure').set(bearer(a.manager.token)).expect(200);
    [row] = await t.ds.query(
      `SELECT months, still_in_support FROM length_of_stay WHERE case_id = $1`,
      [c.id],
    );
    expect(row).toEqual({ months: 3, still_in_support: false });
    t.clock.set(new Date());
  });

  it('chases a cost approval to the managers, then escalates', async () => {
    const { reference, approval: cost } = await toAwaitingCostApproval(t.http, a, {
      code: 'sanctuary_room',
      quantity: 1,
      estimatedCost: 4800,
    });
    t.clock.set(new Date(new Date(cost.dueAt).getTime() + 1000));
    await reconcile();
    await eventually(async () => expect((await approval(cost.id)).chaseCount).toBe(1));
    expect(
      (await tasks(a.manager.token)).filter(
        (x) => x.kind === 'cost_chased' && x.approvalId === cost.id,
      ),
    ).toHaveLength(1);
    await eventually(async () =>
      expect(
        sink.messages.filter(
          (m) => m.subject.includes(reference) && /cost approval waiting/.test(m.subject),
        ),
      ).toHaveLength(1),
    );
    for (let n = 2; n <= 3; n++) {
      t.clock.advance(10 * DAY);
      await reconcile();
      await eventually(async () => expect((await approval(cost.id)).chaseCount).toBe(n));
    }
    t.clock.advance(10 * DAY);
    await reconcile();
    await eventually(async () => expect((await approval(cost.id)).escalatedAt).not.toBeNull());
    expect(
      (await tasks(a.manager.token)).filter(
        (x) => x.kind === 'cost_escalated' && x.approvalId === cost.id,
      ),
    ).toHaveLength(1);
    t.clock.set(new Date());
  });

  it('alerts once when an installer is turned away on site by the landlord', async () => {
    const { caseId, jobId } = await toScheduled(t.http, a);
    await act(t.http, a.installer.token, `/jobs/${jobId}/fail`, {
      reason: 'landlord_refused_on_site',
    });
    expectProblem(
      await t.http
        .post(`/api/v1/jobs/${jobId}/fail`)
        .set(bearer(a.installer.token))
        .send({ reason: 'landlord_refused_on_site' }),
      409,
    );
    expect(
      (await tasks(a.idva.token)).filter(
        (x) => x.kind === 'landlord_refusal' && x.caseId === caseId,
      ),
    ).toHaveLength(1);
    expect(
      (await tasks(a.manager.token)).filter(
        (x) => x.kind === 'landlord_refusal' && x.caseId === caseId,
      ),
    ).toHaveLength(1);
    const c = await t.http.get(`/api/v1/cases/${caseId}`).set(bearer(a.idva.token)).expect(200);
    await eventually(async () =>
      expect(
        sink.messages.filter(
          (m) => m.subject.includes(c.body.reference) && /refused/.test(m.subject),
        ),
      ).toHaveLength(2),
    );
  });

  it('raises the refusal alert when retrospective consent is refused after an emergency install', async () => {
    const c = await createCase(t.http, a, { priority: 'emergency' });
    await act(t.http, a.idva.token, `/cases/${c.id}/accept`);
    const job = await act(
      t.http,
      a.idva.token,
      `/cases/${c.id}/install-jobs`,
      { contractorId: a.contractorId, emergency: true, verbalPermissionFrom: 'Duty officer' },
      201,
    );
    await act(t.http, a.installer.token, `/jobs/${job.id}/accept`, {
      scheduledFor: new Date(Date.now() + 3600_000).toISOString(),
    });
    await act(t.http, a.installer.token, `/jobs/${job.id}/complete`, {
      measuresInstalled: [{ code: 'lock_change', quantity: 1 }],
    });
    const list = await t.http
      .get('/api/v1/approvals?kind=landlord_consent&status=pending&limit=200')
      .set(bearer(a.idva.token))
      .expect(200);
    const consent = list.body.items.find((x: { caseId: string }) => x.caseId === c.id);
    expect(consent.retrospective).toBe(true);
    await act(t.http, a.idva.token, `/approvals/${consent.id}/decision`, {
      decision: 'refused',
      respondent: 'Landlord',
    });
    const got = await t.http.get(`/api/v1/cases/${c.id}`).set(bearer(a.idva.token)).expect(200);
    expect(got.body.status).toBe('in_support');
    expect(
      (await tasks(a.manager.token)).filter(
        (x) => x.kind === 'landlord_refusal' && x.caseId === c.id,
      ),
    ).toHaveLength(1);
  });

  it('shows queue depths to managers and admins only', async () => {
    const res = await t.http.get('/api/v1/ops/queues').set(bearer(a.manager.token)).expect(200);
    expect(res.body.queues.map((q: { name: string }) => q.name).sort()).toEqual([
      'chasing',
      'maintenance',
      'notifications',
    ]);
    await t.http.get('/api/v1/ops/queues').set(bearer(t.adminToken)).expect(200);
    expectProblem(await t.http.get('/api/v1/ops/queues').set(bearer(a.idva.token)), 403);
  });

  it("counts a manager's own scheme's emails only; an admin's count spans every scheme", async () => {
    const other = await makeScheme(t, 'Omega');
    const counts = async (token: string) =>
      (await t.http.get('/api/v1/ops/queues').set(bearer(token)).expect(200)).body as {
        emailsFailed: number;
      };
    const [mine, theirs, all] = [
      await counts(a.manager.token),
      await counts(other.manager.token),
      await counts(t.adminToken),
    ];
    await t.ds.query(
      `INSERT INTO notifications (scheme_id, kind, recipient_enc, subject, body_enc, dedupe_key, status)
       VALUES ($1, 'test', 'x', 's', 'x', $2, 'failed')`,
      [other.id, `ops-count:${other.id}`],
    );
    expect((await counts(a.manager.token)).emailsFailed).toBe(mine.emailsFailed);
    expect((await counts(other.manager.token)).emailsFailed).toBe(theirs.emailsFailed + 1);
    expect((await counts(t.adminToken)).emailsFailed).toBe(all.emailsFailed + 1);
  });
});

describe('notifications without SMTP', () => {
  let t: TestApp;
  afterAll(async () => t?.close());

  it('records emails as not sent when no SMTP_URL is configured', async () => {
    t = await startApp();
    const a = await makeScheme(t, 'Gamma');
    const { caseId } = await toAwaitingConsent(t.http, a);
    await eventually(async () => {
      const rows = await t.ds.query(`SELECT status FROM notifications WHERE case_id = $1`, [
        caseId,
      ]);
      expect(rows).toEqual([{ status: 'not_sent' }]);
    });
  });
});
