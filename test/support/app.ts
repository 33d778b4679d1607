// Starts a whole Sanctuary app for a test file: its own database (dropped on close), its own Redis
// key prefix (deleted on close), a TestClock, and helpers to sign in and set up a scheme.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { Redis } from 'ioredis';
import { createApp } from '../../src/app.factory.js';
import { TestClock } from '../../src/common/clock.js';
import { dropDatabase } from '../../src/database/bootstrap.js';
import type { DataSource } from 'typeorm';

export const ADMIN = { email: 'admin@test.local', password: 'admin-password-123' };
export const PASSWORD = 'correct-horse-battery';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  clock: TestClock;
  ds: DataSource;
  dbUrl: string;
  prefix: string;
  env: Record<string, string>;
  adminToken: string;
  /** Every line the service logged, when started with `{ logs: true }` (else empty). */
  logs: string[];
  close(): Promise<void>;
}

export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  const id = `${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    NODE_ENV: 'test',
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/sanctuary_test_${id}`,
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `sanctuary-test-${id}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATA_KEYS: `t1:${randomBytes(32).toString('base64')}`,
    HASH_KEY: randomBytes(32).toString('hex'),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LOGIN_MAX_PER_ADDRESS: '1000',
    RECONCILE_EVERY_MS: '600000',
    PUBLIC_BASE_URL: 'http://sanctuary.test',
    ...extra,
  };
}

export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const r = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
  await r.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

export interface StartTestOptions {
  /** Keep every log line, at the most verbose level (LOG_LEVEL=trace), in `TestApp.logs`. */
  logs?: boolean;
}

export async function startApp(
  extra: Record<string, string> = {},
  opts: StartTestOptions = {},
): Promise<TestApp> {
  return startWith(
    testEnv(opts.logs ? { LOG_LEVEL: 'trace', ...extra } : extra),
    new TestClock(),
    opts,
  );
}

/** Collects pino's output (one JSON document per line) in memory. */
function logSink(lines: string[]): { write(chunk: string): void } {
  let partial = '';
  return {
    write(chunk: string) {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.filter(Boolean));
    },
  };
}

/** An app on a given environment (e.g. the same database again, in another role). */
export async function startWith(
  env: Record<string, string>,
  clock: TestClock,
  opts: StartTestOptions = {},
): Promise<TestApp> {
  const logs: string[] = [];
  const { app, dataSource } = await createApp({
    env,
    clock,
    docsUi: false,
    logDestination: opts.logs ? logSink(logs) : undefined,
  });
  await app.getHttpAdapter().getInstance().ready();
  const http = request(app.getHttpServer());
  const adminToken = await login(http, ADMIN.email, ADMIN.password);
  let closed = false;
  return {
    app,
    http,
    clock,
    ds: dataSource,
    dbUrl: env.DATABASE_URL,
    prefix: env.REDIS_PREFIX,
    env,
    adminToken,
    logs,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await dropDatabase(env.DATABASE_URL);
      await deleteRedisPrefix(env.REDIS_PREFIX);
    },
  };
}

export async function login(http: TestAgent, email: string, password: string): Promise<string> {
  const res = await http.post('/api/v1/auth/login').send({ email, password });
  if (res.status !== 200)
    throw new Error(`login failed for test user: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken as string;
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export interface Scheme {
  id: string;
  manager: { id: string; token: string };
  idva: { id: string; token: string };
  idva2: { id: string; token: string };
  installer: { id: string; token: string };
  contractorId: string;
  landlordId: string;
  privateLandlordId: string;
}

let seq = 0;

async function makeUser(
  t: TestApp,
  token: string,
  body: Record<string, unknown>,
): Promise<{ id: string; token: string }> {
  const res = await t.http
    .post('/api/v1/users')
    .set(bearer(token))
    .send({ password: PASSWORD, ...body });
  if (res.status !== 201) throw new Error(`user: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, token: await login(t.http, body.email as string, PASSWORD) };
}

/** A scheme with a manager, two IDVAs, a contractor with one installer, and two landlords. */
export async function makeScheme(t: TestApp, name = 'Coventry'): Promise<Scheme> {
  const n = ++seq;
  const tag = `${n}-${randomBytes(3).toString('hex')}`;
  const scheme = await t.http
    .post('/api/v1/schemes')
    .set(bearer(t.adminToken))
    .send({ name, localAuthority: `${name} City Council` });
  if (scheme.status !== 201)
    throw new Error(`scheme: ${scheme.status} ${JSON.stringify(scheme.body)}`);
  const schemeId = scheme.body.id as string;
  const manager = await makeUser(t, t.adminToken, {
    email: `manager${tag}@test.local`,
    name: 'Mina Manager',
    role: 'scheme_manager',
    schemeId,
  });
  const idva = await makeUser(t, manager.token, {
    email: `idva${tag}@test.local`,
    name: 'Ivy Idva',
    role: 'idva',
  });
  const idva2 = await makeUser(t, manager.token, {
    email: `idvb${tag}@test.local`,
    name: 'Isla Idva',
    role: 'idva',
  });
  const contractor = await t.http
    .post('/api/v1/contractors')
    .set(bearer(manager.token))
    .send({ name: 'SecureFit Ltd', email: `fit${tag}@contractor.test`, phone: '024 7600 0000' });
  const installer = await makeUser(t, manager.token, {
    email: `inst${tag}@test.local`,
    name: 'Ian Installer',
    role: 'installer',
    contractorId: contractor.body.id,
  });
  const landlord = await t.http
    .post('/api/v1/landlords')
    .set(bearer(idva.token))
    .send({
      name: 'Citizen Housing',
      kind: 'housing_association',
      email: `homes${tag}@landlord.test`,
      phone: '024 7600 1111',
    });
  const privateLandlord = await t.http
    .post('/api/v1/landlords')
    .set(bearer(idva.token))
    .send({
      name: 'P Landlord',
      kind: 'private',
      email: `private${tag}@landlord.test`,
      phone: '07700 900123',
    });
  return {
    id: schemeId,
    manager,
    idva,
    idva2,
    installer,
    contractorId: contractor.body.id,
    landlordId: landlord.body.id,
    privateLandlordId: privateLandlord.body.id,
  };
}

/** Polls until fn stops throwing (queues run on real Redis timers; never sleep a fixed time). */
export async function eventually<T>(
  fn: () => Promise<T>,
  timeoutMs = 30000,
  everyMs = 100,
): Promise<T> {
  const start = Date.now();
  let last: unknown;
  while (Date.now() - start < timeoutMs) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
  throw last;
}

export function expectProblem(res: request.Response, status: number): void {
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toEqual(
    expect.objectContaining({
      type: expect.any(String),
      title: expect.any(String),
      status,
      detail: expect.any(String),
    }),
  );
}
