// The world the security tests attack: two schemes with real records built through the API (scheme
// A holds the CANARY personal data, scheme B its own), the callers of every role, a way to send any
// request and keep its answer, and a fingerprint of the database to prove "nothing changed".
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import type { Response } from 'supertest';
import { TokenService } from '../../../src/auth/token.service.js';
import { bearer, PASSWORD, type Scheme, type TestApp } from '../../support/app.js';
import { act, CANARY, createCase, MEASURES, toScheduled } from '../../support/cases.js';

export type Role = 'admin' | 'scheme_manager' | 'idva' | 'installer';

/** Scheme B's service user: nothing of it may appear in scheme A, and the reverse. */
export const OTHER = {
  name: 'Olive Otherscheme',
  phone: '07700 900111',
  line1: '3 Beta Road',
  postcode: 'B1 1AA',
  codeWord: 'othercodeword',
  note: 'other-scheme-note',
};

export function otherPersonal(): Record<string, unknown> {
  return {
    serviceUser: {
      name: OTHER.name,
      dateOfBirth: '1985-05-05',
      gender: 'female',
      phone: OTHER.phone,
      safeContact: {
        canCall: true,
        canText: true,
        canLeaveVoicemail: false,
        codeWord: OTHER.codeWord,
      },
    },
    address: { line1: OTHER.line1, town: 'Birmingham', postcode: OTHER.postcode },
    note: OTHER.note,
  };
}

/** The records of one scheme the tests aim at. */
export interface Records {
  /** awaiting_consent, with a pending consent approval and a pending cost approval */
  caseId: string;
  caseReference: string;
  consentApprovalId: string;
  costApprovalId: string;
  consentToken: string;
  /** a manager's task (cost approval needed) */
  taskId: string;
  /** a member of staff (the second IDVA) */
  userId: string;
  /** install_scheduled: the job is accepted, so its installer sees the address */
  scheduledCaseId: string;
  jobId: string;
}

export interface Caller {
  label: string;
  role: Role | 'anonymous';
  token?: string;
  userId?: string;
  /** the scheme the caller belongs to; null for admins and anonymous callers */
  scheme: 'A' | 'B' | null;
  /** installers: whether the caller works for the contractor the job was offered to */
  ownContractor?: boolean;
}

export interface World {
  t: TestApp;
  a: Scheme;
  b: Scheme;
  ra: Records;
  rb: Records;
  /** an installer of a second contractor of scheme A */
  installer2: { id: string; token: string; contractorId: string };
  /** a job of scheme A offered to that second contractor */
  otherContractorJobId: string;
  callers: Caller[];
}

export const EXPENSIVE = [
  { code: 'door_replacement', quantity: 1, location: 'front door', estimatedCost: 2500 },
];

async function records(t: TestApp, s: Scheme, over: Record<string, unknown>): Promise<Records> {
  const scheduled = await toScheduled(t.http, s, over);
  const c = await createCase(t.http, s, over);
  await act(t.http, s.idva.token, `/cases/${c.id}/accept`);
  await act(t.http, s.idva.token, `/cases/${c.id}/survey`, {
    scheduledFor: '2026-11-10T10:00:00Z',
    surveyor: 'Sam Surveyor',
  });
  await act(t.http, s.idva.token, `/cases/${c.id}/survey/result`, { measures: EXPENSIVE });
  const consent = await act(t.http, s.idva.token, `/cases/${c.id}/consent-requests`, {}, 201);
  const costs = await t.http
    .get('/api/v1/approvals?kind=cost&status=pending')
    .set(bearer(s.manager.token));
  const cost = costs.body.items.find((x: { caseId: string }) => x.caseId === c.id);
  const tasks = await t.http.get('/api/v1/tasks').set(bearer(s.manager.token));
  const task = tasks.body.items.find(
    (x: { kind: string; caseId: string }) => x.kind === 'cost_approval_needed' && x.caseId === c.id,
  );
  if (!cost || !task) throw new Error('world: no cost approval or task was created');
  return {
    caseId: c.id,
    caseReference: c.reference,
    consentApprovalId: consent.id,
    costApprovalId: cost.id,
    consentToken: String(consent.consentUrl).split('/consent/')[1],
    taskId: task.id,
    userId: s.idva2.id,
    scheduledCaseId: scheduled.caseId,
    jobId: scheduled.jobId,
  };
}

// Staff accounts are written straight to the table with one shared password hash and signed in
// with the service's own TokenService: the same tokens a login gives, without two argon2 runs per
// user (sign-in itself is under test in tokens.e2e-spec.ts, user creation in conformance).
let passwordHash: Promise<string> | undefined;

export async function staff(
  t: TestApp,
  role: Role,
  schemeId: string,
  contractorId: string | null = null,
): Promise<{ id: string; token: string }> {
  passwordHash ??= argon2.hash(PASSWORD);
  const email = `${role}-${randomBytes(4).toString('hex')}@test.local`;
  const [{ id }] = await t.ds.query(
    `INSERT INTO users (email, name, role, password_hash, scheme_id, contractor_id)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [email, `Staff ${role}`, role, await passwordHash, schemeId, contractorId],
  );
  const token = t.app.get(TokenService).sign({ id, role, schemeId, contractorId });
  return { id, token };
}

async function created(res: Response, what: string): Promise<string> {
  if (res.status !== 201) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** A scheme (made by the admin) with a manager, two IDVAs, a contractor and installer, two landlords. */
export async function scheme(t: TestApp, name: string): Promise<Scheme> {
  const tag = randomBytes(3).toString('hex');
  const id = await created(
    await t.http
      .post('/api/v1/schemes')
      .set(bearer(t.adminToken))
      .send({ name, localAuthority: `${name} City Council` }),
    'scheme',
  );
  const manager = await staff(t, 'scheme_manager', id);
  const contractorId = await created(
    await t.http
      .post('/api/v1/contractors')
      .set(bearer(manager.token))
      .send({ name: 'SecureFit Ltd', email: `fit${tag}@contractor.test`, phone: '024 7600 0000' }),
    'contractor',
  );
  const idva = await staff(t, 'idva', id);
  const landlord = (kind: string, email: string) =>
    t.http
      .post('/api/v1/landlords')
      .set(bearer(idva.token))
      .send({ name: `${kind} landlord`, kind, email, phone: '024 7600 1111' });
  return {
    id,
    manager,
    idva,
    idva2: await staff(t, 'idva', id),
    installer: await staff(t, 'installer', id, contractorId),
    contractorId,
    landlordId: await created(
      await landlord('housing_association', `homes${tag}@landlord.test`),
      'landlord',
    ),
    privateLandlordId: await created(
      await landlord('private', `private${tag}@landlord.test`),
      'landlord',
    ),
  };
}

export async function buildWorld(t: TestApp): Promise<World> {
  const a = await scheme(t, 'Alpha');
  const b = await scheme(t, 'Beta');
  const ra = await records(t, a, {});
  const rb = await records(t, b, otherPersonal());
  const tag = randomBytes(3).toString('hex');
  const contractorId = await created(
    await t.http
      .post('/api/v1/contractors')
      .set(bearer(a.manager.token))
      .send({ name: 'OtherFit Ltd', email: `other${tag}@contractor.test`, phone: '024 7600 2222' }),
    'contractor',
  );
  const installer2 = { ...(await staff(t, 'installer', a.id, contractorId)), contractorId };
  const otherContractorJobId = await offerJob(t, a, installer2.contractorId);
  const admin = await t.http.get('/api/v1/me').set(bearer(t.adminToken));
  const callers: Caller[] = [
    { label: 'anonymous', role: 'anonymous', scheme: null },
    { label: 'admin', role: 'admin', token: t.adminToken, userId: admin.body.id, scheme: null },
    {
      label: 'A manager',
      role: 'scheme_manager',
      token: a.manager.token,
      userId: a.manager.id,
      scheme: 'A',
    },
    { label: 'A idva', role: 'idva', token: a.idva.token, userId: a.idva.id, scheme: 'A' },
    {
      label: 'A installer',
      role: 'installer',
      token: a.installer.token,
      userId: a.installer.id,
      scheme: 'A',
      ownContractor: true,
    },
    {
      label: 'A installer (other contractor)',
      role: 'installer',
      token: installer2.token,
      userId: installer2.id,
      scheme: 'A',
      ownContractor: false,
    },
    {
      label: 'B manager',
      role: 'scheme_manager',
      token: b.manager.token,
      userId: b.manager.id,
      scheme: 'B',
    },
    { label: 'B idva', role: 'idva', token: b.idva.token, userId: b.idva.id, scheme: 'B' },
    {
      label: 'B installer',
      role: 'installer',
      token: b.installer.token,
      userId: b.installer.id,
      scheme: 'B',
      ownContractor: true,
    },
  ];
  return { t, a, b, ra, rb, installer2, otherContractorJobId, callers };
}

/** A tenancy case (not the CANARY person) taken to an install job offered to the contractor. */
async function offerJob(t: TestApp, s: Scheme, contractorId: string): Promise<string> {
  const c = await createCase(t.http, s, otherPersonal());
  await act(t.http, s.idva.token, `/cases/${c.id}/accept`);
  await act(t.http, s.idva.token, `/cases/${c.id}/survey`, {
    scheduledFor: '2026-11-10T10:00:00Z',
    surveyor: 'Sam Surveyor',
  });
  await act(t.http, s.idva.token, `/cases/${c.id}/survey/result`, { measures: MEASURES });
  const consent = await act(t.http, s.idva.token, `/cases/${c.id}/consent-requests`, {}, 201);
  await act(t.http, s.idva.token, `/approvals/${consent.id}/decision`, {
    decision: 'granted',
    respondent: 'Housing officer',
  });
  const job = await act(t.http, s.idva.token, `/cases/${c.id}/install-jobs`, { contractorId }, 201);
  return job.id;
}

// ---- sending and keeping answers --------------------------------------------------------------

export interface Req {
  method: string;
  url: string;
  token?: string;
  headers?: Record<string, string>;
  /** a JSON value to send (serialised by the client) */
  body?: unknown;
  /** raw bytes to send instead, with `contentType` */
  raw?: string | Buffer;
  contentType?: string;
}

export interface Exchange {
  method: string;
  url: string;
  status: number;
  contentType: string;
  text: string;
  body: any;
}

export async function send(t: TestApp, r: Req): Promise<Exchange> {
  const m = r.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
  let q = t.http[m](r.url);
  if (r.token) q = q.set(bearer(r.token));
  for (const [k, v] of Object.entries(r.headers ?? {})) q = q.set(k, v);
  let res: Response;
  if (r.raw !== undefined) {
    res = await q.set('content-type', r.contentType ?? 'application/json').send(r.raw as string);
  } else if (r.body !== undefined) {
    res = await q.send(r.body as object);
  } else {
    res = await q;
  }
  return {
    method: r.method.toUpperCase(),
    url: r.url,
    status: res.status,
    contentType: String(res.headers['content-type'] ?? ''),
    text: res.text ?? '',
    body: res.body,
  };
}

/** Why an error answer is not an RFC 9457 problem (empty when it is one). */
export function problemDefects(x: Exchange): string[] {
  if (x.status < 400) return [];
  const out: string[] = [];
  if (!/^application\/problem\+json/.test(x.contentType))
    out.push(`content-type is ${x.contentType || '(none)'}`);
  const b = x.body ?? {};
  for (const k of ['type', 'title', 'detail'] as const)
    if (typeof b[k] !== 'string') out.push(`${k} is not a string`);
  if (b.status !== x.status) out.push(`status member ${b.status} ≠ ${x.status}`);
  const internal = internalDetail(x.text);
  if (internal) out.push(`internal detail in the body (${internal})`);
  return out;
}

const INTERNALS: [string, RegExp][] = [
  ['a stack trace', /\bat (async )?[\w$.<>[\]]+ \(|\bat (file|node):/],
  [
    'SQL or a database error',
    /QueryFailedError|syntax error at or near|duplicate key|violates [\w-]+ constraint|relation "[^"]*" does not exist|column "[^"]*" (does not exist|of relation)|invalid input syntax for|\bINSERT INTO\b|\bSELECT\b[^"]{0,120}\bFROM\b/i,
  ],
  [
    'a file path',
    /node_modules|file:\/\/|(\/work|\/home|\/usr|\/opt|\/srv|\/tmp)\/[\w.-]+\/|\b[\w-]+\.(ts|js|mjs|cjs):\d+/,
  ],
];

/** What of the server's insides an answer gives away (null when nothing): stack, SQL, paths. */
export function internalDetail(text: string): string | null {
  return INTERNALS.find(([, re]) => re.test(text))?.[0] ?? null;
}

// ---- canaries ---------------------------------------------------------------------------------

export type CanaryName = keyof typeof CANARY;

const variants = (v: string) => [v, v.replace(/\s+/g, ''), v.toLowerCase()];

/** The CANARY values found in a text (case-insensitive; postcode and phone also without spaces). */
export function canariesIn(text: string, values: Record<string, string> = CANARY): string[] {
  const hay = text.toLowerCase();
  return Object.entries(values)
    .filter(([, v]) => variants(v).some((x) => hay.includes(x.toLowerCase())))
    .map(([k]) => k);
}

/** Object keys (at any depth) of a JSON value. */
export function keysOf(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => keysOf(x, out));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.add(k);
      keysOf(x, out);
    }
  return out;
}

// ---- "nothing changed" --------------------------------------------------------------------------

/**
 * A fingerprint of everything a request could write (the tables background workers also touch —
 * outbox, notifications, review schedules, length of stay — are left out, and so are the
 * `access.denied` audit rows a refusal writes by design: audit.e2e-spec.ts counts those).
 */
export async function fingerprint(t: TestApp): Promise<Record<string, string>> {
  const [row] = await t.ds.query(`SELECT
    (SELECT count(*) || ':' || md5(coalesce(string_agg(id::text || name || settings::text, ',' ORDER BY id), '')) FROM schemes) AS schemes,
    (SELECT count(*) || ':' || md5(coalesce(string_agg(id::text || role || active::text, ',' ORDER BY id), '')) FROM users) AS users,
    (SELECT count(*)::text FROM contractors) AS contractors,
    (SELECT count(*)::text FROM landlords) AS landlords,
    (SELECT count(*) || ':' || md5(coalesce(string_agg(id::text || status || version, ',' ORDER BY id), '')) FROM cases) AS cases,
    (SELECT count(*)::text FROM case_events) AS case_events,
    (SELECT count(*)::text FROM audit_log WHERE action <> 'access.denied') AS audit_log,
    (SELECT count(*) || ':' || md5(coalesce(string_agg(id::text || status || version, ',' ORDER BY id), '')) FROM approvals) AS approvals,
    (SELECT count(*) || ':' || md5(coalesce(string_agg(id::text || status || version, ',' ORDER BY id), '')) FROM jobs) AS jobs,
    (SELECT count(*)::text FROM reviews) AS reviews,
    (SELECT count(*) || ':' || count(done_at) FROM tasks) AS tasks,
    (SELECT count(*)::text FROM idempotency_keys) AS idempotency_keys`);
  return row;
}

/** The `access.denied` audit rows written so far. */
export async function countDenials(t: TestApp): Promise<number> {
  const [{ n }] = await t.ds.query(
    `SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.denied'`,
  );
  return n;
}

export async function countRows(t: TestApp, table: string): Promise<number> {
  const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM ${table}`);
  return n;
}
