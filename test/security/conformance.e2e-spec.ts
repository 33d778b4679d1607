// Response conformance: a realistic run of the whole service — set-up, referrals to closure along
// every route (decline, cancel, unsuccessful, job declined and failed), approvals, the consent
// link, jobs, tasks, operations and reports — with every answer validated against the schema the
// served OpenAPI document declares for its operation and status. An undocumented status or
// content type, a missing required field, an undocumented field or a wrong type is a failure.
import { randomBytes, randomUUID } from 'node:crypto';
import {
  ADMIN,
  eventually,
  PASSWORD,
  startApp,
  type Scheme,
  type TestApp,
} from '../support/app.js';
import { CANARY, caseBody, MEASURES } from '../support/cases.js';
import { contractOf, queryFor } from './support/contract.js';
import { EXPENSIVE } from './support/world.js';
import {
  fetchDoc,
  matchOperation,
  operations,
  ResponseValidator,
  type OpenApiDoc,
  type Operation,
} from './support/openapi.js';
import { huntLeaks, printLeakReport } from './support/leaks.js';
import { lintDocument } from './support/openapi-lint.js';
import { send, type Exchange, type Req } from './support/world.js';

describe('response conformance', () => {
  let t: TestApp;
  let ops: Operation[];
  let validator: ResponseValidator;
  let doc: OpenApiDoc;
  const problems: string[] = [];
  const covered = new Set<string>();
  const exchanges: Exchange[] = [];
  let validated = 0;
  let csvChecked = 0;

  beforeAll(async () => {
    t = await startApp({}, { logs: true });
    doc = await fetchDoc(t);
    ops = operations(doc);
    validator = new ResponseValidator(doc);
  });
  afterAll(async () => t?.close());

  /** Sends a request and checks its answer against the document. */
  async function call(req: Req): Promise<Exchange> {
    const x = await send(t, req);
    exchanges.push(x);
    const op = matchOperation(ops, req.method, req.url);
    if (!op) {
      problems.push(`${req.method.toUpperCase()} ${req.url}: no documented operation`);
      return x;
    }
    const check = validator.check(
      op,
      x.status,
      x.contentType,
      /^text\/csv/.test(x.contentType) ? x.text : x.body,
    );
    validated++;
    problems.push(...check.problems);
    if (x.status < 300) covered.add(op.key);
    return x;
  }

  /** A step of the happy path: it must succeed. */
  async function ok(
    method: string,
    url: string,
    token: string | undefined,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<any> {
    const x = await call({ method, url: `/api/v1${url}`, token, body, headers });
    if (x.status >= 300) throw new Error(`${method} ${url}: ${x.status} ${x.text.slice(0, 300)}`);
    return x.body;
  }

  it('documents every answer of a realistic run, from set-up to closure', async () => {
    const tag = randomBytes(3).toString('hex');
    // ---- set-up ------------------------------------------------------------------------------
    const admin = (await ok('post', '/auth/login', undefined, ADMIN)).accessToken as string;
    await ok('get', '/me', admin);
    const scheme = await ok('post', '/schemes', admin, {
      name: 'Conformance',
      localAuthority: 'Conformance City Council',
    });
    const person = async (token: string, role: string, extra: Record<string, unknown> = {}) => {
      const email = `${role}-${tag}-${randomBytes(2).toString('hex')}@test.local`;
      const u = await ok('post', '/users', token, {
        email,
        name: `A ${role}`,
        role,
        password: PASSWORD,
        ...extra,
      });
      const session = await ok('post', '/auth/login', undefined, { email, password: PASSWORD });
      return { id: u.id as string, token: session.accessToken as string };
    };
    const manager = await person(admin, 'scheme_manager', { schemeId: scheme.id });
    const idva = await person(manager.token, 'idva');
    const contractor = await ok('post', '/contractors', manager.token, {
      name: 'Conform Fit',
      email: `fit-${tag}@contractor.test`,
      phone: '024 7600 5555',
    });
    await ok('get', '/contractors?limit=10', manager.token);
    const installer = await person(manager.token, 'installer', { contractorId: contractor.id });
    const landlord = await ok('post', '/landlords', idva.token, {
      name: 'Conform Homes',
      kind: 'council',
      email: `homes-${tag}@landlord.test`,
      phone: '024 7600 6666',
    });
    await ok('get', '/landlords', manager.token);
    await ok('get', '/scheme/settings', manager.token);
    await ok('patch', '/scheme/settings', manager.token, { maxChases: 3 });
    const referral = (over: Record<string, unknown> = {}) =>
      caseBody({ landlordId: landlord.id } as Scheme, over);

    // ---- a tenancy case to closure, through cost approval and the landlord's link -----------
    const c = await ok('post', '/cases', idva.token, referral(), {
      'Idempotency-Key': `conf-${tag}`,
    });
    await ok('get', '/cases?include=names', manager.token);
    await ok('get', `/cases/${c.id}`, idva.token);
    const patched = await ok(
      'patch',
      `/cases/${c.id}`,
      idva.token,
      { riskLevel: 'medium' },
      {
        'If-Match': `"${c.version}"`,
      },
    );
    await ok(
      'post',
      `/cases/${c.id}/accept`,
      idva.token,
      {},
      { 'If-Match': `"${patched.version}"` },
    );
    await ok('post', `/cases/${c.id}/survey`, idva.token, {
      scheduledFor: '2026-11-10T10:00:00Z',
      surveyor: 'Sam Surveyor',
    });
    await ok('post', `/cases/${c.id}/survey/result`, idva.token, { measures: EXPENSIVE });
    const costs = await ok('get', '/approvals?kind=cost&status=pending', manager.token);
    const cost = costs.items.find((x: { caseId: string }) => x.caseId === c.id);
    await ok('get', `/approvals/${cost.id}`, manager.token);
    await ok('post', `/approvals/${cost.id}/decision`, manager.token, {
      decision: 'granted',
      respondent: 'Mina Manager',
      reason: CANARY.note,
    });
    const consent = await ok('post', `/cases/${c.id}/consent-requests`, idva.token, {});
    const token = String(consent.consentUrl).split('/consent/')[1];
    await ok('get', `/consent/${token}`, undefined);
    await ok('post', `/consent/${token}`, undefined, { decision: 'granted', name: 'Lee Landlord' });
    const job = await ok('post', `/cases/${c.id}/install-jobs`, idva.token, {
      contractorId: contractor.id,
    });
    await ok('get', '/jobs', installer.token);
    await ok('get', '/jobs', manager.token);
    await ok('get', `/jobs/${job.id}`, installer.token);
    await ok('get', `/jobs/${job.id}`, manager.token);
    await ok('post', `/jobs/${job.id}/accept`, installer.token, {
      scheduledFor: new Date(Date.now() + 86_400_000).toISOString(),
    });
    await ok('post', `/jobs/${job.id}/complete`, installer.token, {
      measuresInstalled: [{ code: 'door_replacement', quantity: 1 }],
      notes: `fitted; ${CANARY.note}`,
    });
    await ok('get', `/jobs/${job.id}`, installer.token);
    await ok('post', `/cases/${c.id}/reviews`, idva.token, {
      feelsSafer: 8,
      incidentsSinceInstall: 0,
      resumedRelationship: false,
      note: `feels safer; ${CANARY.note}`,
    });
    await ok('get', `/cases/${c.id}/timeline`, idva.token);
    await ok('get', `/cases/${c.id}/audit`, manager.token);
    const tasks = await ok('get', '/tasks', manager.token);
    expect(tasks.items.length).toBeGreaterThan(0);
    await ok('post', `/tasks/${tasks.items[0].id}/done`, manager.token);
    await ok('get', '/tasks', idva.token);
    await ok('get', '/tasks', installer.token);
    await ok('post', `/cases/${c.id}/close`, idva.token, {
      exit: 'planned',
      reasons: ['support_completed'],
      supportTypes: ['advocacy', 'prevention_advice'],
    });
    await ok('get', `/cases/${c.id}`, manager.token);
    await ok('get', '/approvals', idva.token);

    // ---- the other ways a case ends ----------------------------------------------------------
    const declined = await ok('post', '/cases', idva.token, referral());
    await ok('post', `/cases/${declined.id}/decline`, idva.token, { reasons: ['no_capacity'] });
    const cancelled = await ok('post', '/cases', idva.token, referral());
    await ok('post', `/cases/${cancelled.id}/accept`, idva.token, {});
    await ok('post', `/cases/${cancelled.id}/cancel`, idva.token, {
      reason: 'moved',
      note: CANARY.note,
    });
    const failed = await ok('post', '/cases', idva.token, referral());
    await ok('post', `/cases/${failed.id}/accept`, idva.token, {});
    await ok('post', `/cases/${failed.id}/unsuccessful`, manager.token, { reason: 'cannot_fit' });

    // ---- an owner-occupier whose contractor declines, then cannot fit ----------------------
    const owner = await ok(
      'post',
      '/cases',
      idva.token,
      referral({ tenure: 'owner_occupier', landlordId: undefined }),
    );
    await ok('post', `/cases/${owner.id}/accept`, idva.token, {});
    await ok('post', `/cases/${owner.id}/survey`, idva.token, {
      scheduledFor: '2026-11-12T10:00:00Z',
      surveyor: 'Sam Surveyor',
    });
    await ok('post', `/cases/${owner.id}/survey/result`, idva.token, { measures: MEASURES });
    const first = await ok('post', `/cases/${owner.id}/install-jobs`, manager.token, {
      contractorId: contractor.id,
    });
    await ok('post', `/jobs/${first.id}/decline`, installer.token, {
      reason: `fully booked; ${CANARY.note}`,
    });
    const second = await ok('post', `/cases/${owner.id}/install-jobs`, idva.token, {
      contractorId: contractor.id,
    });
    await ok('post', `/jobs/${second.id}/fail`, installer.token, {
      reason: 'technical',
      notes: `frame rotten; ${CANARY.note}`,
    });

    // ---- staff changes ----------------------------------------------------------------------
    await ok('patch', `/users/${idva.id}`, manager.token, { name: 'Ivy Renamed' });
    const leaver = await person(manager.token, 'idva');
    await ok('patch', `/users/${leaver.id}`, admin, { active: false });

    // ---- operations and reports --------------------------------------------------------------
    await ok('get', '/ops/queues', admin);
    await ok('get', '/ops/queues', manager.token);
    await ok('post', '/ops/reconcile', manager.token);
    await ok('post', '/length-of-stay/measure', manager.token);
    for (const op of ops.filter((o) => o.path.startsWith('/api/v1/reports/'))) {
      const declared = op.params.filter((p) => p.in === 'query').map((p) => p.name);
      const query = new URLSearchParams(queryFor(contractOf(op.key)!, declared)).toString();
      await ok(
        'get',
        `${op.path.replace('/api/v1', '')}${query ? `?${query}` : ''}`,
        manager.token,
      );
      if (op.responses['200']?.content?.['text/csv']) {
        const x = await call({
          method: 'get',
          url: `${op.path}${query ? `?${query}` : ''}`,
          token: manager.token,
          headers: { accept: 'text/csv' },
        });
        expect(x.status).toBe(200);
        // The header and at least one row of figures.
        expect(x.text.split('\r\n').filter(Boolean).length).toBeGreaterThan(1);
        csvChecked++;
      }
    }
    expect(csvChecked).toBe(4);
    for (const path of ['/health/live', '/health/ready']) {
      const x = await call({ method: 'get', url: path });
      expect(x.status).toBe(200);
    }

    // ---- documented problems -----------------------------------------------------------------
    const expectStatus = async (req: Req, status: number) => {
      const x = await call(req);
      if (x.status !== status) problems.push(`${req.url}: expected ${status}, got ${x.status}`);
    };
    await expectStatus({ method: 'post', url: '/api/v1/cases', token: idva.token, body: {} }, 400);
    await expectStatus(
      { method: 'get', url: `/api/v1/cases/${randomUUID()}`, token: idva.token },
      404,
    );
    await expectStatus(
      {
        method: 'post',
        url: `/api/v1/cases/${owner.id}/accept`,
        token: idva.token,
        body: {},
        headers: { 'If-Match': '"1"' },
      },
      409,
    );
    await expectStatus(
      {
        method: 'post',
        url: '/api/v1/cases',
        token: idva.token,
        body: referral({ perpetratorLivesAtProperty: true }),
      },
      422,
    );
    await expectStatus({ method: 'get', url: '/api/v1/cases' }, 401);
    await expectStatus({ method: 'get', url: '/api/v1/cases', token: installer.token }, 403);
    await expectStatus(
      {
        method: 'post',
        url: '/api/v1/auth/login',
        body: { email: ADMIN.email, password: 'nope-nope' },
      },
      401,
    );

    const uncovered = ops.map((o) => o.key).filter((k) => !covered.has(k));
    console.log(
      `conformance: ${validated} answers validated against ${ops.length} documented operations ` +
        `(${ops.length - uncovered.length} exercised with a 2xx); ${problems.length} failures`,
    );
    expect(problems).toEqual([]);
    expect(uncovered).toEqual([]);
  }, 120_000);

  it('serves a document a third-party linter (Redocly, recommended rules) finds no error in', async () => {
    const report = await lintDocument(doc);
    console.log(
      `openapi lint (Redocly recommended): ${report.errors} errors, ${report.warnings} warnings` +
        report.problems
          .map((p) => `\n  ${p.severity} ${p.ruleId} ${p.where}: ${p.message}`)
          .join(''),
    );
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(report.errors).toBe(0);
  });

  it('leaves no personal data in plain columns, a pg_dump, Redis, the logs or error answers after the run', async () => {
    // Let the outbox relay queue what the run wrote (emails, chases) before Redis is searched.
    await eventually(async () => {
      const [{ n }] = await t.ds.query(
        `SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`,
      );
      expect(n).toBe(0);
    });
    const report = await huntLeaks(t, exchanges);
    printLeakReport('after the happy path', report);
    expect(report.findings).toEqual([]);
    // The searches saw something: a dump with the data, a log that was written.
    expect(report.dumpBytes).toBeGreaterThan(10_000);
    expect(report.logLines).toBeGreaterThan(0);
  });
});
