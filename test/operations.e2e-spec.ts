// Operator-facing guarantees: deny-by-default routes, deactivation that signs out at once, audit rows
// that carry the request id and vanish with a rolled-back change, and the CLI (admin, key rotation).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { AUTHENTICATED_KEY, PUBLIC_KEY, ROLES_KEY } from '../src/auth/decorators.js';
import {
  bearer,
  expectProblem,
  login,
  makeScheme,
  PASSWORD,
  startApp,
  startWith,
  type Scheme,
  type TestApp,
} from './support/app.js';
import { act, CANARY, createCase } from './support/cases.js';

const run = promisify(execFile);

describe('operations', () => {
  let t: TestApp;
  let a: Scheme;

  beforeAll(async () => {
    t = await startApp();
    a = await makeScheme(t, 'Ops');
  });
  afterAll(async () => t?.close());

  it('gives every route an explicit access rule (deny by default)', async () => {
    const missing: string[] = [];
    let routes = 0;
    for (const mod of t.app.get(ModulesContainer).values()) {
      for (const wrapper of mod.controllers.values()) {
        const cls = wrapper.metatype as { prototype: Record<string, unknown>; name: string } | null;
        if (!cls) continue;
        for (const name of Object.getOwnPropertyNames(cls.prototype)) {
          const handler = cls.prototype[name];
          if (
            name === 'constructor' ||
            typeof handler !== 'function' ||
            Reflect.getMetadata(PATH_METADATA, handler) === undefined
          )
            continue;
          routes++;
          const rule = [PUBLIC_KEY, ROLES_KEY, AUTHENTICATED_KEY].some(
            (k) =>
              Reflect.getMetadata(k, handler) !== undefined ||
              Reflect.getMetadata(k, cls) !== undefined,
          );
          if (!rule) missing.push(`${cls.name}.${name}`);
        }
      }
    }
    expect(routes).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });

  it('signs a deactivated user out at once, and stops their sign-in', async () => {
    const email = `leaver-${randomBytes(3).toString('hex')}@test.local`;
    const user = await t.http
      .post('/api/v1/users')
      .set(bearer(a.manager.token))
      .send({ email, name: 'Leaver', role: 'idva', password: PASSWORD })
      .expect(201);
    const token = await login(t.http, email, PASSWORD);
    await t.http.get('/api/v1/me').set(bearer(token)).expect(200);
    const off = await t.http
      .patch(`/api/v1/users/${user.body.id}`)
      .set(bearer(a.manager.token))
      .send({ active: false })
      .expect(200);
    expect(off.body.active).toBe(false);
    expectProblem(await t.http.get('/api/v1/me').set(bearer(token)), 401);
    expectProblem(await t.http.post('/api/v1/auth/login').send({ email, password: PASSWORD }), 401);
    const other = await makeScheme(t, 'OtherOps');
    expectProblem(
      await t.http
        .patch(`/api/v1/users/${user.body.id}`)
        .set(bearer(other.manager.token))
        .send({ active: true }),
      404,
    );
  });

  it('writes the request id into audit rows, and no audit row for a change that rolled back', async () => {
    const c = await createCase(t.http, a);
    const res = await t.http
      .get(`/api/v1/cases/${c.id}`)
      .set(bearer(a.idva.token))
      .set('x-request-id', 'audit-trace-0001')
      .expect(200);
    expect(res.headers['x-request-id']).toBe('audit-trace-0001');
    const [row] = await t.ds.query(
      `SELECT request_id FROM audit_log WHERE entity_id = $1 AND action = 'case.read'`,
      [c.id],
    );
    expect(row.request_id).toBe('audit-trace-0001');
    // Break-glass writes an audit row, then the stale version rolls the whole change back.
    await t.http
      .patch(`/api/v1/cases/${c.id}`)
      .set(bearer(a.idva.token))
      .send({ restricted: true, restrictedTo: [a.idva.id] })
      .expect(200);
    const before = await t.ds.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE entity_id = $1`,
      [c.id],
    );
    const stale = await t.http
      .patch(`/api/v1/cases/${c.id}`)
      .set(bearer(a.idva2.token))
      .set('X-Access-Reason', 'urgent call from police')
      .set('If-Match', '"1"')
      .send({ riskLevel: 'medium' });
    expectProblem(stale, 409);
    const after = await t.ds.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE entity_id = $1`,
      [c.id],
    );
    expect(after[0].n).toBe(before[0].n);
    const [{ n }] = await t.ds.query(
      `SELECT count(*)::int AS n FROM tasks WHERE kind = 'break_glass' AND case_id = $1`,
      [c.id],
    );
    expect(n).toBe(0);
  });

  it('creates an admin from the CLI, once', async () => {
    const env = { ...process.env, ...t.env };
    const first = await run(
      'node',
      [
        'dist/src/cli.js',
        'create-admin',
        '--email',
        'second-admin@test.local',
        '--password',
        'second-admin-password',
      ],
      { env },
    );
    expect(first.stdout).toMatch(/admin created/);
    const again = await run(
      'node',
      [
        'dist/src/cli.js',
        'create-admin',
        '--email',
        'second-admin@test.local',
        '--password',
        'second-admin-password',
      ],
      { env },
    );
    expect(again.stdout).toMatch(/exists already/);
    expect(await login(t.http, 'second-admin@test.local', 'second-admin-password')).toMatch(/^ey/);
  });

  it('rotates the data key: reencrypt moves every value, and the old key can then be dropped', async () => {
    const c = await createCase(t.http, a);
    await act(t.http, a.idva.token, `/cases/${c.id}/accept`, { note: CANARY.note });
    const newKey = `k2:${randomBytes(32).toString('base64')}`;
    const rotated = { ...t.env, DATA_KEYS: `${newKey},${t.env.DATA_KEYS}` };
    const out = await run('node', ['dist/src/cli.js', 'reencrypt'], {
      env: { ...process.env, ...rotated },
    });
    expect(out.stdout).toMatch(/cases\.personal_enc: [1-9]\d* re-encrypted/);
    const [{ n }] = await t.ds.query(
      `SELECT count(*)::int AS n FROM cases WHERE split_part(personal_enc, ':', 2) <> 'k2'`,
    );
    expect(n).toBe(0);
    // A process that only knows the new key reads everything.
    await t.app.close();
    t = await startWith({ ...t.env, DATA_KEYS: newKey }, t.clock);
    const got = await t.http.get(`/api/v1/cases/${c.id}`).set(bearer(a.idva.token)).expect(200);
    expect(got.body.serviceUser.name).toBe(CANARY.name);
    const tl = await t.http
      .get(`/api/v1/cases/${c.id}/timeline`)
      .set(bearer(a.idva.token))
      .expect(200);
    expect(tl.body.find((e: { type: string }) => e.type === 'accepted').note).toBe(CANARY.note);
  });
});
