// Audit completeness (issue #6): N sensitive reads and D refusals by signed-in callers leave exactly
// N read rows and D `access.denied` rows, each naming the caller, the kind of record, its id, the
// status and the route template; anonymous callers and bad input leave none.
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import {
  bearer,
  expectProblem,
  makeScheme,
  PASSWORD,
  startApp,
  type Scheme,
  type TestApp,
} from '../support/app.js';
import { CANARY, caseBody, toAwaitingConsent, toScheduled } from '../support/cases.js';

type Caller = { id: string; token: string };

interface Call {
  who: Caller | null;
  method: 'get' | 'post' | 'patch';
  url: string;
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** What one audit row must say (request id: the answer's `x-request-id`). */
interface Expected {
  actorId: string;
  schemeId: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  data?: Record<string, unknown>;
  requestId: string;
}

interface AuditRow {
  id: string;
  scheme_id: string | null;
  actor_id: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  data: Record<string, unknown>;
  request_id: string | null;
}

const READS = ['case.read', 'case.timeline_read', 'case.list_names', 'job.read'];

describe('audit completeness', () => {
  let t: TestApp;
  let a: Scheme;
  let b: Scheme;
  let admin: Caller;
  let caseId: string;
  let approvalId: string;
  let scheduled: { caseId: string; jobId: string };
  let start: string;

  const send = async (c: Call): Promise<Response> => {
    let q = t.http[c.method](c.url);
    if (c.who) q = q.set(bearer(c.who.token));
    for (const [k, v] of Object.entries(c.headers ?? {})) q = q.set(k, v);
    return c.body ? q.send(c.body) : q;
  };
  const rowsSince = async (id: string): Promise<AuditRow[]> =>
    t.ds.query(
      `SELECT id, scheme_id, actor_id, action, entity, entity_id, data, request_id
       FROM audit_log WHERE id > $1 ORDER BY id`,
      [id],
    );
  const lastId = async (): Promise<string> =>
    (await t.ds.query(`SELECT coalesce(max(id), 0)::text AS id FROM audit_log`))[0].id;
  const schemeOf = (who: Caller): string | null =>
    who === admin ? null : [b.manager, b.idva, b.idva2, b.installer].includes(who) ? b.id : a.id;
  const shape = (r: AuditRow): Expected => ({
    actorId: r.actor_id!,
    schemeId: r.scheme_id,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    ...(r.action === 'access.denied' ? { data: r.data } : {}),
    requestId: r.request_id!,
  });

  beforeAll(async () => {
    t = await startApp();
    a = await makeScheme(t, 'Alpha');
    b = await makeScheme(t, 'Beta');
    const me = await t.http.get('/api/v1/me').set(bearer(t.adminToken)).expect(200);
    admin = { id: me.body.id, token: t.adminToken };
    const awaiting = await toAwaitingConsent(t.http, a);
    caseId = awaiting.caseId;
    approvalId = awaiting.approval.id;
    scheduled = await toScheduled(t.http, a);
    start = await lastId();
  }, 120_000);
  afterAll(async () => t?.close());

  it('writes one row per sensitive read and one per refusal, and none for 401s or bad input', async () => {
    const expected: Expected[] = [];

    // N sensitive reads: each answer is followed by its own audit row.
    const reads: [Call, Omit<Expected, 'requestId'>][] = [
      ...[a.idva, a.idva, a.idva, a.manager].map(
        (who) =>
          [
            { who, method: 'get', url: `/api/v1/cases/${caseId}` },
            {
              actorId: who.id,
              schemeId: a.id,
              action: 'case.read',
              entity: 'case',
              entityId: caseId,
            },
          ] as [Call, Omit<Expected, 'requestId'>],
      ),
      [
        { who: a.idva2, method: 'get', url: `/api/v1/cases/${scheduled.caseId}` },
        {
          actorId: a.idva2.id,
          schemeId: a.id,
          action: 'case.read',
          entity: 'case',
          entityId: scheduled.caseId,
        },
      ],
      [
        { who: a.idva, method: 'get', url: `/api/v1/cases/${caseId}/timeline` },
        {
          actorId: a.idva.id,
          schemeId: a.id,
          action: 'case.timeline_read',
          entity: 'case',
          entityId: caseId,
        },
      ],
      [
        { who: a.manager, method: 'get', url: '/api/v1/cases?include=names' },
        {
          actorId: a.manager.id,
          schemeId: a.id,
          action: 'case.list_names',
          entity: 'case',
          entityId: null,
        },
      ],
      ...[a.installer, a.manager].map(
        (who) =>
          [
            { who, method: 'get', url: `/api/v1/jobs/${scheduled.jobId}` },
            {
              actorId: who.id,
              schemeId: a.id,
              action: 'job.read',
              entity: 'case',
              entityId: scheduled.caseId,
            },
          ] as [Call, Omit<Expected, 'requestId'>],
      ),
    ];
    for (const [call, row] of reads) {
      const res = await send(call);
      expect([call.url, res.status]).toEqual([call.url, 200]);
      expected.push({ ...row, requestId: res.headers['x-request-id'] });
    }

    // D refusals of different kinds, by different callers.
    const nobody = randomUUID();
    const denials: [string, Call, number, string, string | null, string][] = [
      // [what, call, status, entity, entity id, route template]
      [
        'another scheme’s IDVA reads a case',
        { who: b.idva, method: 'get', url: `/api/v1/cases/${caseId}` },
        404,
        'case',
        caseId,
        '/api/v1/cases/:id',
      ],
      [
        'an installer reads a case (refused by the guard)',
        { who: a.installer, method: 'get', url: `/api/v1/cases/${caseId}` },
        404,
        'case',
        caseId,
        '/api/v1/cases/:id',
      ],
      [
        'an installer reads a case’s timeline with a malformed id',
        { who: a.installer, method: 'get', url: '/api/v1/cases/not-a-uuid/timeline' },
        404,
        'case',
        null,
        '/api/v1/cases/:id/timeline',
      ],
      [
        'an admin reads a case',
        { who: admin, method: 'get', url: `/api/v1/cases/${caseId}` },
        404,
        'case',
        caseId,
        '/api/v1/cases/:id',
      ],
      [
        'an IDVA reads a case that does not exist',
        { who: a.idva, method: 'get', url: `/api/v1/cases/${nobody}` },
        404,
        'case',
        nobody,
        '/api/v1/cases/:id',
      ],
      [
        'an IDVA reads a case’s audit trail (managers only)',
        { who: a.idva, method: 'get', url: `/api/v1/cases/${caseId}/audit` },
        404,
        'case',
        caseId,
        '/api/v1/cases/:id/audit',
      ],
      [
        'an IDVA calls a manager-only report, with a query string',
        {
          who: a.idva,
          method: 'get',
          url: '/api/v1/reports/target-hardening?from=2026-01-01&to=2026-12-31',
        },
        403,
        'route',
        null,
        '/api/v1/reports/target-hardening',
      ],
      [
        'an IDVA reads the scheme settings',
        { who: a.idva, method: 'get', url: '/api/v1/scheme/settings' },
        403,
        'route',
        null,
        '/api/v1/scheme/settings',
      ],
      [
        'scheme B’s manager decides scheme A’s approval',
        {
          who: b.manager,
          method: 'post',
          url: `/api/v1/approvals/${approvalId}/decision`,
          body: { decision: 'granted', respondent: 'Housing officer' },
        },
        404,
        'approval',
        approvalId,
        '/api/v1/approvals/:id/decision',
      ],
      [
        'scheme B’s installer reads scheme A’s job',
        { who: b.installer, method: 'get', url: `/api/v1/jobs/${scheduled.jobId}` },
        404,
        'job',
        scheduled.jobId,
        '/api/v1/jobs/:id',
      ],
      [
        'scheme B’s manager renames scheme A’s IDVA',
        {
          who: b.manager,
          method: 'patch',
          url: `/api/v1/users/${a.idva.id}`,
          body: { name: 'Renamed' },
        },
        404,
        'user',
        a.idva.id,
        '/api/v1/users/:id',
      ],
      [
        'an IDVA closes a task that is not theirs',
        { who: a.idva, method: 'post', url: `/api/v1/tasks/${nobody}/done` },
        404,
        'task',
        nobody,
        '/api/v1/tasks/:id/done',
      ],
      [
        'a scheme manager creates an admin (refused by the service)',
        {
          who: a.manager,
          method: 'post',
          url: '/api/v1/users',
          body: {
            email: 'new-admin@test.local',
            name: 'New Admin',
            role: 'admin',
            password: PASSWORD,
          },
        },
        403,
        'route',
        null,
        '/api/v1/users',
      ],
    ];
    for (const [what, call, status, entity, entityId, route] of denials) {
      const before = await lastId();
      const res = await send(call);
      expect([what, res.status]).toEqual([what, status]);
      expectProblem(res, status);
      const row = {
        actorId: call.who!.id,
        schemeId: schemeOf(call.who!),
        action: 'access.denied',
        entity,
        entityId,
        data: { status, method: call.method.toUpperCase(), route },
        requestId: res.headers['x-request-id'],
      };
      // Committed before the answer left: readable as soon as the answer is in.
      expect([what, (await rowsSince(before)).map(shape)]).toEqual([what, [row]]);
      expected.push(row);
    }

    // Not refusals by an access rule: no token, a bad token, bad input, conflicts, a 404 off a
    // record route (an unknown route, another scheme's contractor named in a body), the landlord link.
    const noise: [string, Call, number][] = [
      ['no token', { who: null, method: 'get', url: `/api/v1/cases/${caseId}` }, 401],
      [
        'a forged token',
        { who: { id: '', token: 'not.a.token' }, method: 'get', url: `/api/v1/cases/${caseId}` },
        401,
      ],
      ['a malformed id', { who: a.idva, method: 'get', url: '/api/v1/cases/not-a-uuid' }, 400],
      [
        'an invalid referral',
        { who: a.idva, method: 'post', url: '/api/v1/cases', body: { tenure: 'castle' } },
        400,
      ],
      [
        'a referral the rules refuse',
        {
          who: a.idva,
          method: 'post',
          url: '/api/v1/cases',
          body: caseBody(a, { perpetratorLivesAtProperty: true }),
        },
        422,
      ],
      [
        'an illegal transition',
        { who: a.idva, method: 'post', url: `/api/v1/cases/${caseId}/accept`, body: {} },
        409,
      ],
      [
        'a stale version',
        {
          who: a.idva,
          method: 'patch',
          url: `/api/v1/cases/${caseId}`,
          body: { riskLevel: 'medium' },
          headers: { 'If-Match': '"999"' },
        },
        409,
      ],
      ['an unknown route', { who: a.idva, method: 'get', url: '/api/v1/nowhere' }, 404],
      [
        'an unknown route under a record',
        { who: a.idva, method: 'get', url: `/api/v1/cases/${caseId}/nowhere` },
        404,
      ],
      [
        'another scheme’s contractor named in a body',
        {
          who: a.manager,
          method: 'post',
          url: '/api/v1/users',
          body: {
            email: 'cross-installer@test.local',
            name: 'Cross Installer',
            role: 'installer',
            contractorId: b.contractorId,
            password: PASSWORD,
          },
        },
        404,
      ],
      [
        'a forged landlord link',
        { who: null, method: 'get', url: `/api/v1/consent/${'x'.repeat(40)}` },
        404,
      ],
    ];
    const beforeNoise = await lastId();
    for (const [what, call, status] of noise) {
      const res = await send(call);
      expect([what, res.status]).toEqual([what, status]);
    }
    expect(await rowsSince(beforeNoise)).toEqual([]);

    const rows = await rowsSince(start);
    const readRows = rows.filter((r) => READS.includes(r.action));
    const denialRows = rows.filter((r) => r.action === 'access.denied');
    expect(rows.length).toBe(readRows.length + denialRows.length);
    expect(readRows.map(shape)).toEqual(expected.filter((e) => e.action !== 'access.denied'));
    expect(denialRows.map(shape)).toEqual(expected.filter((e) => e.action === 'access.denied'));
    // The route template only: no query string, no personal data.
    const text = JSON.stringify(denialRows);
    expect(text).not.toMatch(/\?|2026-01-01|not-a-uuid/);
    for (const v of Object.values(CANARY)) expect(text).not.toContain(v);
    console.log(
      `audit completeness: ${reads.length} reads → ${readRows.length} rows, ` +
        `${denials.length} denials → ${denialRows.length} rows, ${noise.length} 401/4xx non-denials → 0 rows`,
    );
  });

  it('shows a case’s refusals in its audit trail to its own scheme only', async () => {
    const res = await t.http
      .get(`/api/v1/cases/${caseId}/audit`)
      .set(bearer(a.manager.token))
      .expect(200);
    const denied = res.body.filter((e: { action: string }) => e.action === 'access.denied');
    const actors = denied.map((e: { actorId: string }) => e.actorId);
    expect(actors).toEqual(expect.arrayContaining([a.installer.id, a.idva.id]));
    expect(actors).not.toContain(b.idva.id);
  });

  it('answers a refusal as usual when its audit row cannot be written', async () => {
    await t.ds.query(`
      CREATE FUNCTION refuse_denials() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit unavailable'; END $$;
      CREATE TRIGGER refuse_denials BEFORE INSERT ON audit_log
        FOR EACH ROW WHEN (NEW.action = 'access.denied') EXECUTE FUNCTION refuse_denials();`);
    try {
      const before = await lastId();
      expectProblem(await t.http.get(`/api/v1/cases/${caseId}`).set(bearer(b.idva.token)), 404);
      expectProblem(await t.http.get('/api/v1/scheme/settings').set(bearer(a.idva.token)), 403);
      expect(await rowsSince(before)).toEqual([]);
    } finally {
      await t.ds.query(`DROP TRIGGER refuse_denials ON audit_log; DROP FUNCTION refuse_denials();`);
    }
  });
});
