// The access matrix: every operation of the served OpenAPI document × every kind of caller
// (anonymous, admin, each role of scheme A, an installer of another contractor, each role of
// scheme B), aimed at scheme A's real records. The answer must be the one the contract gives, and
// no answer may show a caller what DESIGN.md says they may not see.
import { PASSWORD, startApp, type TestApp } from '../support/app.js';
import { CANARY, caseBody, createCase } from '../support/cases.js';
import {
  contractOf,
  expectedStatus,
  queryFor,
  recordId,
  type OpContract,
} from './support/contract.js';
import { fetchDoc, operations, urlFor, type Operation } from './support/openapi.js';
import {
  buildWorld,
  canariesIn,
  countDenials,
  countRows,
  fingerprint,
  keysOf,
  problemDefects,
  send,
  type CanaryName,
  type Caller,
  type Exchange,
  type Req,
  type World,
} from './support/world.js';

/** What installers never get, whatever the endpoint (DESIGN.md: never risk, perpetrator, history). */
const NOT_FOR_INSTALLERS = new Set([
  'riskLevel',
  'maracReferred',
  'perpetratorLivesAtProperty',
  'serviceUser',
  'serviceUserName',
  'codeWord',
  'characteristics',
  'referralSource',
  'restrictedTo',
  'outcome',
  'caseId',
]);

const ALL_CANARIES = Object.keys(CANARY) as CanaryName[];

function requestFor(op: Operation, c: OpContract, caller: Caller, w: World): Req {
  const pathName = op.params.find((p) => p.in === 'path')?.name;
  const url = urlFor(op, pathName ? { [pathName]: recordId(w.ra, c.record)! } : {});
  const query = new URLSearchParams(
    queryFor(
      c,
      op.params.filter((p) => p.in === 'query').map((p) => p.name),
    ),
  ).toString();
  return {
    method: op.method,
    url: query ? `${url}?${query}` : url,
    token: caller.token,
    // A stale version: an allowed caller is let through to the version check, and nothing changes.
    headers: c.ifMatch ? { 'If-Match': '"999999"' } : {},
    body: c.body?.(w),
  };
}

/** The personal data this caller may see in an answer from this operation. */
function mayShow(c: OpContract, caller: Caller, status: number): CanaryName[] {
  if (status >= 400) return [];
  if (caller.scheme === 'A' && (caller.role === 'scheme_manager' || caller.role === 'idva'))
    return ALL_CANARIES;
  // The installer of a live job: the address, and the phone of the safe-contact arrangement.
  if (caller.role === 'installer' && caller.scheme === 'A' && caller.ownContractor)
    return ['line1', 'postcode', 'phone'];
  // The landlord's link: the property address only.
  if (c.record === 'consent') return ['line1', 'postcode'];
  return [];
}

function exposure(x: Exchange, op: Operation, c: OpContract, caller: Caller, w: World): string[] {
  const out: string[] = [];
  const seen = canariesIn(x.text).filter(
    (k) => !mayShow(c, caller, x.status).includes(k as CanaryName),
  );
  if (seen.length) out.push(`shows ${seen.join(', ')}`);
  // The path the caller sent comes back as `instance`; everything else must be new to them.
  const { instance: _instance, ...rest } = (x.body ?? {}) as Record<string, unknown>;
  const text = JSON.stringify(rest);
  if (caller.scheme !== 'A') {
    const ids = [
      w.ra.caseId,
      w.ra.scheduledCaseId,
      // (not the reference: each scheme numbers its cases from 1)
      w.ra.consentApprovalId,
      w.ra.costApprovalId,
      w.ra.jobId,
      w.ra.taskId,
      w.otherContractorJobId,
    ];
    if (ids.some((id) => text.includes(id))) out.push('shows a record of scheme A');
  }
  if (caller.role === 'installer' && op.key !== 'GET /api/v1/me') {
    const keys = [...keysOf(x.body)].filter((k) => NOT_FOR_INSTALLERS.has(k));
    if (keys.length) out.push(`shows an installer ${keys.join(', ')}`);
    const notTheirs = caller.ownContractor ? w.otherContractorJobId : w.ra.jobId;
    if (text.includes(notTheirs)) out.push('shows an installer another contractor’s job');
    if (text.includes(w.ra.caseId) || text.includes(w.ra.scheduledCaseId))
      out.push('shows an installer a case id');
  }
  if (c.record === 'consent' && x.status === 200) {
    const extra = Object.keys(x.body).filter(
      (k) => !['address', 'proposedWorks', 'dueAt', 'status'].includes(k),
    );
    if (extra.length) out.push(`shows the landlord ${extra.join(', ')}`);
  }
  return out;
}

/** Status and version of every record of scheme A the matrix aims at. */
async function recordsOfA(t: TestApp, w: World): Promise<unknown[]> {
  return t.ds.query(
    `SELECT 'case' AS kind, id, status, version FROM cases WHERE id = ANY($1::uuid[])
     UNION ALL SELECT 'approval', id, status, version FROM approvals WHERE id = ANY($2::uuid[])
     UNION ALL SELECT 'job', id, status, version FROM jobs WHERE id = ANY($3::uuid[])
     ORDER BY 1, 2`,
    [
      [w.ra.caseId, w.ra.scheduledCaseId],
      [w.ra.consentApprovalId, w.ra.costApprovalId],
      [w.ra.jobId, w.otherContractorJobId],
    ],
  );
}

describe('access matrix', () => {
  let t: TestApp;
  let w: World;
  let ops: Operation[];

  beforeAll(async () => {
    t = await startApp();
    w = await buildWorld(t);
    ops = operations(await fetchDoc(t));
  }, 120_000);
  afterAll(async () => t?.close());

  it('has a contract for every documented operation', () => {
    expect(ops.filter((o) => !contractOf(o.key)).map((o) => o.key)).toEqual([]);
  });

  it('says in the document which operations need a token, and serves the docs and health without one', async () => {
    const wrong = ops
      .filter((o) => (contractOf(o.key)!.roles === 'public') === o.secured)
      .map((o) => `${o.key} is ${o.secured ? '' : 'not '}marked as needing a bearer token`);
    expect(wrong).toEqual([]);
    for (const url of ['/docs-json', '/api/v1/docs-json', '/health/live', '/api/v1/health/live']) {
      const x = await send(t, { method: 'get', url });
      expect([url, x.status]).toEqual([url, 200]);
    }
  });

  it('answers every operation for every caller as the contract says, and shows nobody what they may not see', async () => {
    const before = await recordsOfA(t, w);
    const casesBefore = await countRows(t, 'cases');
    const deniedBefore = await countDenials(t);
    const failures: string[] = [];
    let sent = 0;
    let created = 0;
    let refused = 0;
    for (const op of ops) {
      const c = contractOf(op.key)!;
      for (const caller of w.callers) {
        const x = await send(t, requestFor(op, c, caller, w));
        sent++;
        const want = expectedStatus(c, op.method, caller, w);
        const at = `${op.key} as ${caller.label}`;
        if (x.status !== want)
          failures.push(`${at}: expected ${want}, got ${x.status} ${x.text.slice(0, 160)}`);
        for (const d of [...problemDefects(x), ...exposure(x, op, c, caller, w)])
          failures.push(`${at} → ${x.status}: ${d}`);
        if (op.key === 'POST /api/v1/cases' && x.status === 201) created++;
        // A signed-in caller refused by an access rule: a 403, or a 404 on a record route.
        if (caller.token && (want === 403 || (want === 404 && c.record))) refused++;
      }
    }
    const denials = (await countDenials(t)) - deniedBefore;
    console.log(
      `access matrix: ${ops.length} operations × ${w.callers.length} callers = ${sent} requests; ${failures.length} failures; ` +
        `${refused} refusals → ${denials} access.denied rows`,
    );
    expect(failures).toEqual([]);
    expect(denials).toBe(refused);
    // Refused callers and stale versions changed none of scheme A's records.
    expect(await recordsOfA(t, w)).toEqual(before);
    expect(await countRows(t, 'cases')).toBe(casesBefore + created);
  });

  it('refuses references to another scheme’s landlord, contractor, staff or scheme in a body', async () => {
    const before = await fingerprint(t);
    const attempts: [string, Req, number[]][] = [
      [
        'referral with scheme B’s landlord',
        {
          method: 'post',
          url: '/api/v1/cases',
          token: w.a.idva.token,
          body: caseBody(w.a, { landlordId: w.b.landlordId }),
        },
        [422],
      ],
      [
        'install job for scheme B’s contractor',
        {
          method: 'post',
          url: `/api/v1/cases/${w.ra.caseId}/install-jobs`,
          token: w.a.idva.token,
          body: { contractorId: w.b.contractorId },
        },
        [422],
      ],
      [
        'case assigned to scheme B’s IDVA',
        {
          method: 'patch',
          url: `/api/v1/cases/${w.ra.caseId}`,
          token: w.a.manager.token,
          body: { assignedTo: w.b.idva.id },
        },
        [422],
      ],
      [
        'case restricted to scheme B’s IDVA',
        {
          method: 'patch',
          url: `/api/v1/cases/${w.ra.caseId}`,
          token: w.a.manager.token,
          body: { restricted: true, restrictedTo: [w.b.idva.id] },
        },
        [422],
      ],
      [
        'installer for scheme B’s contractor',
        {
          method: 'post',
          url: '/api/v1/users',
          token: w.a.manager.token,
          body: {
            email: 'cross-installer@test.local',
            name: 'Cross Installer',
            role: 'installer',
            contractorId: w.b.contractorId,
            password: PASSWORD,
          },
        },
        [404],
      ],
      [
        'user in scheme B',
        {
          method: 'post',
          url: '/api/v1/users',
          token: w.a.manager.token,
          body: {
            email: 'cross-user@test.local',
            name: 'Cross User',
            role: 'idva',
            schemeId: w.b.id,
            password: PASSWORD,
          },
        },
        [404],
      ],
      [
        'an admin made by a scheme manager',
        {
          method: 'post',
          url: '/api/v1/users',
          token: w.a.manager.token,
          body: {
            email: 'cross-admin@test.local',
            name: 'Cross Admin',
            role: 'admin',
            password: PASSWORD,
          },
        },
        [403],
      ],
    ];
    const failures: string[] = [];
    for (const [what, req, want] of attempts) {
      const x = await send(t, req);
      if (!want.includes(x.status)) failures.push(`${what}: ${x.status} ${x.text.slice(0, 160)}`);
      for (const d of problemDefects(x)) failures.push(`${what}: ${d}`);
      if (canariesIn(x.text).length) failures.push(`${what}: echoes personal data`);
    }
    expect(failures).toEqual([]);
    expect(await fingerprint(t)).toEqual(before);
  });

  it('hides a restricted case from staff not named on it, in records and lists', async () => {
    const c = await createCase(t.http, w.a);
    const restrict = await send(t, {
      method: 'patch',
      url: `/api/v1/cases/${c.id}`,
      token: w.a.manager.token,
      body: { restricted: true, restrictedTo: [w.a.idva.id] },
    });
    expect(restrict.status).toBe(200);
    const other = w.a.idva2.token;
    for (const [method, path, body] of [
      ['get', '', undefined],
      ['get', '/timeline', undefined],
      ['patch', '', { riskLevel: 'medium' }],
      ['post', '/accept', {}],
      ['post', '/cancel', { reason: 'withdrew' }],
    ] as const) {
      const x = await send(t, { method, url: `/api/v1/cases/${c.id}${path}`, token: other, body });
      expect([x.status, canariesIn(x.text)]).toEqual([404, []]);
    }
    const list = await send(t, { method: 'get', url: '/api/v1/cases?limit=200', token: other });
    expect(list.status).toBe(200);
    expect(list.body.items.map((x: { id: string }) => x.id)).not.toContain(c.id);
    const named = await send(t, {
      method: 'get',
      url: `/api/v1/cases/${c.id}`,
      token: w.a.idva.token,
    });
    expect(named.status).toBe(200);
    const [{ status, version }] = await t.ds.query(
      `SELECT status, version FROM cases WHERE id = $1`,
      [c.id],
    );
    expect({ status, version }).toEqual({ status: 'referred', version: 2 });
  });
});
