// The real process: start-up, structured logs without personal data (canaries), and a graceful
// SIGTERM that finishes in-flight requests and exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { dropDatabase } from '../src/database/bootstrap.js';
import { ADMIN, deleteRedisPrefix, PASSWORD, testEnv } from './support/app.js';
import { CANARY } from './support/cases.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('the service process', () => {
  let child: ChildProcess;
  let output = '';
  let base = '';
  let env: Record<string, string>;
  let exit: Promise<number | null>;

  async function call(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    headers: Record<string, string> = {},
  ) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body:
        body !== undefined ? (typeof body === 'string' ? body : JSON.stringify(body)) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  beforeAll(async () => {
    const port = await freePort();
    env = testEnv({ LOG_LEVEL: 'debug', PORT: String(port), HOST: '127.0.0.1' });
    base = `http://127.0.0.1:${port}`;
    if (!existsSync('dist/src/main.js'))
      throw new Error('build first: npm run build (npm test does it)');
    child = spawn(process.execPath, ['dist/src/main.js'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d.toString()));
    child.stderr!.on('data', (d) => (output += d.toString()));
    exit = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    const started = Date.now();
    for (;;) {
      try {
        if ((await fetch(`${base}/health/ready`)).status === 200) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() - started > 45000) throw new Error(`service did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await dropDatabase(env.DATABASE_URL).catch(() => undefined);
    await deleteRedisPrefix(env.REDIS_PREFIX).catch(() => undefined);
  });

  it('logs requests as structured JSON with no personal data, tokens or consent links', async () => {
    const admin = (
      await call('POST', '/api/v1/auth/login', { email: ADMIN.email, password: ADMIN.password })
    ).body.accessToken;
    const scheme = (
      await call('POST', '/api/v1/schemes', { name: 'Logs', localAuthority: 'Logs Council' }, admin)
    ).body;
    await call(
      'POST',
      '/api/v1/users',
      {
        email: 'mgr@logs.test',
        name: 'M',
        role: 'scheme_manager',
        password: PASSWORD,
        schemeId: scheme.id,
      },
      admin,
    );
    const manager = (
      await call('POST', '/api/v1/auth/login', { email: 'mgr@logs.test', password: PASSWORD })
    ).body.accessToken;
    await call(
      'POST',
      '/api/v1/users',
      { email: 'idva@logs.test', name: 'I', role: 'idva', password: PASSWORD },
      manager,
    );
    const idva = (
      await call('POST', '/api/v1/auth/login', { email: 'idva@logs.test', password: PASSWORD })
    ).body.accessToken;
    const landlord = (
      await call(
        'POST',
        '/api/v1/landlords',
        { name: 'HA', kind: 'housing_association', email: 'ha@logs.test', phone: '0123456789' },
        idva,
      )
    ).body;
    const body = {
      serviceUser: {
        name: CANARY.name,
        dateOfBirth: '1990-01-31',
        gender: 'female',
        phone: CANARY.phone,
        safeContact: {
          canCall: true,
          canText: false,
          canLeaveVoicemail: false,
          codeWord: CANARY.codeWord,
        },
      },
      address: { line1: CANARY.line1, town: 'Coventry', postcode: CANARY.postcode },
      household: { adults: 1, childrenAges: [] },
      tenure: 'housing_association',
      landlordId: landlord.id,
      riskLevel: 'high',
      maracReferred: false,
      perpetratorLivesAtProperty: false,
      serviceUserConsents: true,
      referralSource: 'police',
      referralDate: '2026-11-02',
      priority: 'standard',
      note: CANARY.note,
    };
    const created = await call('POST', '/api/v1/cases', body, idva);
    expect(created.status).toBe(201);
    const id = created.body.id;
    await call('GET', `/api/v1/cases/${id}`, undefined, idva);
    await call(
      'GET',
      `/api/v1/cases?include=names&postcode=${encodeURIComponent(CANARY.postcode)}`,
      undefined,
      idva,
    );
    // Bad input carrying personal data is refused without echoing it into the logs.
    expect(
      (
        await call(
          'POST',
          '/api/v1/cases',
          {
            ...body,
            serviceUser: { ...body.serviceUser, phone: `${CANARY.name} ${CANARY.phone}` },
          },
          idva,
        )
      ).status,
    ).toBe(400);
    expect(
      (await call('POST', '/api/v1/cases', `{"serviceUser": "${CANARY.name}`, idva)).status,
    ).toBe(400);
    expect(
      (
        await call('POST', '/api/v1/auth/login', {
          email: 'idva@logs.test',
          password: CANARY.codeWord,
        })
      ).status,
    ).toBe(401);
    await call('POST', `/api/v1/cases/${id}/accept`, { note: CANARY.note }, idva);
    await call(
      'POST',
      `/api/v1/cases/${id}/survey`,
      { scheduledFor: '2026-11-20T10:00:00Z', surveyor: 'S' },
      idva,
    );
    await call(
      'POST',
      `/api/v1/cases/${id}/survey/result`,
      { measures: [{ code: 'door_chain', quantity: 1, estimatedCost: 50 }] },
      idva,
    );
    const approval = (await call('POST', `/api/v1/cases/${id}/consent-requests`, {}, idva)).body;
    const token = approval.consentUrl.split('/consent/')[1];
    expect((await call('GET', `/api/v1/consent/${token}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500)); // let the worker relay and send (not sent: no SMTP)
    expect(output).toMatch(/"reqId"|"req":\{"id"/);
    for (const value of Object.values(CANARY)) expect(output).not.toContain(value);
    expect(output).not.toContain(token);
    expect(output).not.toContain(idva);
    expect(output).not.toContain('idva@logs.test');
  });

  it('finishes in-flight requests on SIGTERM and exits 0', async () => {
    // A request whose body is still arriving when SIGTERM lands is in flight for certain: it must
    // still get its whole answer, and only then may the process exit (with 0).
    const port = Number(new URL(base).port);
    const body = JSON.stringify({ email: ADMIN.email, password: ADMIN.password });
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/auth/login',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 100);
    });
    const res = await answer;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).accessToken).toMatch(/^ey/);
    expect(await exit).toBe(0);
  });
});
