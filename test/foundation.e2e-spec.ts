import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  bearer,
  expectProblem,
  login,
  makeScheme,
  PASSWORD,
  startApp,
  type Scheme,
  type TestApp,
} from './support/app.js';
import { createCase } from './support/cases.js';

const run = promisify(execFile);

describe('foundation', () => {
  let t: TestApp;
  let a: Scheme;
  let b: Scheme;

  beforeAll(async () => {
    t = await startApp({ LOGIN_MAX_FAILURES: '3' });
    a = await makeScheme(t, 'Alpha');
    b = await makeScheme(t, 'Beta');
  });
  afterAll(async () => t?.close());

  describe('HTTP basics', () => {
    it('answers health without a token and reports Redis policy', async () => {
      expect((await t.http.get('/health/live')).status).toBe(200);
      const ready = await t.http.get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.checks.redis.maxmemoryPolicy).toBe('noeviction');
      expect((await t.http.get('/api/v1/health/live')).status).toBe(200);
      expect((await t.http.get('/api/v1/health/ready')).status).toBe(200);
    });

    it('answers unknown routes with a 404 problem', async () => {
      expectProblem(await t.http.get('/api/v1/nothing-here').set(bearer(a.manager.token)), 404);
    });

    it('answers malformed JSON with a 400 problem', async () => {
      const res = await t.http
        .post('/api/v1/auth/login')
        .set('content-type', 'application/json')
        .send('{"email":');
      expectProblem(res, 400);
    });

    it('refuses unknown fields with the field named', async () => {
      const res = await t.http
        .post('/api/v1/landlords')
        .set(bearer(a.idva.token))
        .send({ name: 'x', kind: 'private', email: 'a@b.org', phone: '0123456789', evil: true });
      expectProblem(res, 400);
      expect(res.body.errors).toEqual([{ field: 'evil', message: 'evil is not a known field' }]);
    });

    it('refuses a JSON body that is not an object (null, an array, a string, a number) and changes nothing', async () => {
      const c = await createCase(t.http, a);
      const count = async () => (await t.ds.query(`SELECT count(*)::int AS n FROM cases`))[0].n;
      const state = async () =>
        (await t.ds.query(`SELECT status, version FROM cases WHERE id = $1`, [c.id]))[0];
      const [casesBefore, before] = [await count(), await state()];
      // Creating needs fields; accepting and patching take bodies whose fields are all optional.
      for (const url of ['/api/v1/cases', `/api/v1/cases/${c.id}/accept`]) {
        for (const raw of ['null', '[]', '[{}]', '"x"', '5', 'true']) {
          const res = await t.http
            .post(url)
            .set(bearer(a.idva.token))
            .set('content-type', 'application/json')
            .send(raw);
          expectProblem(res, 400);
          expect([url, raw, res.body.errors]).toEqual([
            url,
            raw,
            [{ field: 'body', message: 'body must be a JSON object' }],
          ]);
        }
      }
      const patched = await t.http
        .patch(`/api/v1/cases/${c.id}`)
        .set(bearer(a.idva.token))
        .set('content-type', 'application/json')
        .send('null');
      expectProblem(patched, 400);
      expect(await count()).toBe(casesBefore);
      expect(await state()).toEqual(before);
    });

    it('takes no body at all where every field is optional', async () => {
      const c = await createCase(t.http, a);
      const res = await t.http.post(`/api/v1/cases/${c.id}/accept`).set(bearer(a.idva.token));
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('accepted');
    });

    it('sets security headers and a request id', async () => {
      const res = await t.http.get('/health/live').set('x-request-id', 'trace-abc-123');
      expect(res.headers['x-request-id']).toBe('trace-abc-123');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      // Problem answers carry them too.
      const problem = await t.http.get('/api/v1/no-such-route');
      expect(problem.status).toBe(404);
      expect(problem.headers['x-content-type-options']).toBe('nosniff');
      expect(problem.headers['strict-transport-security']).toMatch(/^max-age=/);
    });

    it('serves the OpenAPI document', async () => {
      const res = await t.http.get('/docs-json');
      expect(res.status).toBe(200);
      expect(res.body.openapi).toMatch(/^3\./);
      expect(Object.keys(res.body.paths)).toContain('/api/v1/auth/login');
    });
  });

  describe('sign-in', () => {
    it('gives the same answer for an unknown email and a wrong password', async () => {
      const unknown = await t.http
        .post('/api/v1/auth/login')
        .send({ email: 'nobody@test.local', password: 'whatever-123' });
      const wrong = await t.http
        .post('/api/v1/auth/login')
        .send({ email: 'admin@test.local', password: 'wrong-password' });
      expectProblem(unknown, 401);
      expectProblem(wrong, 401);
      expect(unknown.body.detail).toBe(wrong.body.detail);
    });

    it('locks an account after repeated failures, even with the right password, across processes', async () => {
      const email = `lock-${Date.now()}@test.local`;
      await t.http
        .post('/api/v1/users')
        .set(bearer(a.manager.token))
        .send({ email, name: 'Lock Me', role: 'idva', password: PASSWORD })
        .expect(201);
      for (let i = 0; i < 3; i++)
        expectProblem(
          await t.http.post('/api/v1/auth/login').send({ email, password: 'nope-nope-nope' }),
          401,
        );
      // A second app on the same Redis prefix shares the counters.
      const res = await t.http.post('/api/v1/auth/login').send({ email, password: PASSWORD });
      expectProblem(res, 429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('rejects forged, expired and malformed tokens', async () => {
      const [h, p] = a.idva.token.split('.');
      expectProblem(await t.http.get('/api/v1/me').set(bearer(`${h}.${p}.forged`)), 401);
      const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      expectProblem(await t.http.get('/api/v1/me').set(bearer(`${none}.${p}.`)), 401);
      expectProblem(await t.http.get('/api/v1/me').set('Authorization', 'Basic abc'), 401);
    });

    it('returns the caller without a password hash', async () => {
      const res = await t.http.get('/api/v1/me').set(bearer(a.idva.token)).expect(200);
      expect(res.body).toEqual(
        expect.objectContaining({ id: a.idva.id, role: 'idva', schemeId: a.id }),
      );
      expect(JSON.stringify(res.body)).not.toMatch(/argon|hash|password/i);
    });
  });

  describe('roles and schemes', () => {
    it('lets only admins create schemes', async () => {
      expectProblem(
        await t.http
          .post('/api/v1/schemes')
          .set(bearer(a.manager.token))
          .send({ name: 'x', localAuthority: 'y' }),
        403,
      );
      expectProblem(
        await t.http
          .post('/api/v1/schemes')
          .set(bearer(a.idva.token))
          .send({ name: 'x', localAuthority: 'y' }),
        403,
      );
    });

    it('keeps a scheme manager to their own scheme when creating users', async () => {
      const res = await t.http
        .post('/api/v1/users')
        .set(bearer(a.manager.token))
        .send({
          email: `x${Date.now()}@t.local`,
          name: 'X',
          role: 'idva',
          password: PASSWORD,
          schemeId: b.id,
        });
      expectProblem(res, 404);
      expectProblem(
        await t.http
          .post('/api/v1/users')
          .set(bearer(a.manager.token))
          .send({ email: `y${Date.now()}@t.local`, name: 'Y', role: 'admin', password: PASSWORD }),
        403,
      );
      expectProblem(
        await t.http
          .post('/api/v1/users')
          .set(bearer(a.idva.token))
          .send({ email: `z${Date.now()}@t.local`, name: 'Z', role: 'idva', password: PASSWORD }),
        403,
      );
    });

    it('refuses an installer for another scheme’s contractor and a duplicate email', async () => {
      expectProblem(
        await t.http
          .post('/api/v1/users')
          .set(bearer(a.manager.token))
          .send({
            email: `i${Date.now()}@t.local`,
            name: 'I',
            role: 'installer',
            password: PASSWORD,
            contractorId: b.contractorId,
          }),
        404,
      );
      const email = `dup${Date.now()}@t.local`;
      await t.http
        .post('/api/v1/users')
        .set(bearer(a.manager.token))
        .send({ email, name: 'D', role: 'idva', password: PASSWORD })
        .expect(201);
      expectProblem(
        await t.http
          .post('/api/v1/users')
          .set(bearer(a.manager.token))
          .send({ email: email.toUpperCase(), name: 'D', role: 'idva', password: PASSWORD }),
        409,
      );
    });

    it('lists only the caller’s scheme’s contractors and landlords, with pagination', async () => {
      const contractors = await t.http
        .get('/api/v1/contractors')
        .set(bearer(a.manager.token))
        .expect(200);
      expect(contractors.body.items.map((c: { id: string }) => c.id)).toEqual([a.contractorId]);
      const first = await t.http
        .get('/api/v1/landlords?limit=1')
        .set(bearer(a.idva.token))
        .expect(200);
      expect(first.body.items).toHaveLength(1);
      const second = await t.http
        .get(`/api/v1/landlords?limit=1&cursor=${first.body.nextCursor}`)
        .set(bearer(a.idva.token))
        .expect(200);
      expect(second.body.items).toHaveLength(1);
      expect([first.body.items[0].id, second.body.items[0].id].sort()).toEqual(
        [a.landlordId, a.privateLandlordId].sort(),
      );
      expect(second.body.nextCursor).toBeNull();
      expectProblem(
        await t.http.get('/api/v1/landlords?cursor=garbage').set(bearer(a.idva.token)),
        400,
      );
      expectProblem(await t.http.get('/api/v1/landlords?limit=500').set(bearer(a.idva.token)), 400);
      expectProblem(await t.http.get('/api/v1/contractors').set(bearer(a.idva.token)), 403);
    });

    it('reads and changes scheme settings for managers only', async () => {
      const s = await t.http
        .get('/api/v1/scheme/settings')
        .set(bearer(a.manager.token))
        .expect(200);
      expect(s.body).toEqual({
        consentDueWorkingDays: 10,
        chaseEveryWorkingDays: 3,
        maxChases: 3,
        costApprovalThreshold: 2000,
        jobConfirmHours: { standard: 72, emergency: 4 },
        reviewOffsetsDays: [7, 91, 182],
      });
      const p = await t.http
        .patch('/api/v1/scheme/settings')
        .set(bearer(a.manager.token))
        .send({ maxChases: 2, reviewOffsetsDays: [91, 7] })
        .expect(200);
      expect(p.body.maxChases).toBe(2);
      expect(p.body.reviewOffsetsDays).toEqual([7, 91]);
      expectProblem(
        await t.http
          .patch('/api/v1/scheme/settings')
          .set(bearer(a.manager.token))
          .send({ maxChases: -1 }),
        400,
      );
      expectProblem(await t.http.get('/api/v1/scheme/settings').set(bearer(a.idva.token)), 403);
      const other = await t.http
        .get('/api/v1/scheme/settings')
        .set(bearer(b.manager.token))
        .expect(200);
      expect(other.body.maxChases).toBe(3);
    });
  });

  describe('audit', () => {
    it('writes an audit row with each change', async () => {
      const rows = await t.ds.query(
        `SELECT action FROM audit_log WHERE scheme_id = $1 ORDER BY id`,
        [a.id],
      );
      expect(rows.map((r: { action: string }) => r.action)).toEqual(
        expect.arrayContaining([
          'scheme.create',
          'user.create',
          'contractor.create',
          'landlord.create',
          'scheme.settings',
        ]),
      );
    });
  });

  describe('start-up', () => {
    it('says in one line when PostgreSQL cannot be reached', async () => {
      const res = await run('node', ['--import', 'tsx', 'src/main.ts'], {
        env: {
          ...process.env,
          DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
          NODE_ENV: 'test',
        },
      }).catch((e: { stderr: string; code: number }) => e);
      expect((res as { code: number }).code).toBe(1);
      const lines = (res as { stderr: string }).stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^PostgreSQL is not reachable at 127\.0\.0\.1:1 .*pg_ctlcluster/);
    });

    it('lists every bad setting, one per line', async () => {
      const res = (await run('node', ['--import', 'tsx', 'src/main.ts'], {
        env: { ...process.env, PORT: 'x', REDIS_URL: 'http://nope' },
      }).catch((e) => e)) as { stderr: string; code: number };
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('PORT=x is invalid');
      expect(res.stderr).toContain('REDIS_URL=http://nope is invalid: must be a redis:// URL');
    });
  });

  it('signs a user in after creation', async () => {
    const email = `new${Date.now()}@test.local`;
    await t.http
      .post('/api/v1/users')
      .set(bearer(a.manager.token))
      .send({ email, name: 'N', role: 'idva', password: PASSWORD })
      .expect(201);
    expect(await login(t.http, email, PASSWORD)).toMatch(/^ey/);
  });
});
