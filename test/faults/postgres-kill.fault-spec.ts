// PostgreSQL connections killed under load: the process stays up, errors inside the fault window are
// 503 problem+json, it recovers within seconds, and no acknowledged write is lost (client ledger).
import { jest } from '@jest/globals';
import pg from 'pg';
import { makeScheme, startApp, type Scheme, type TestApp } from '../support/app.js';
import { ledgerLoad, storedOf } from './support.js';

jest.setTimeout(120_000);

describe('PostgreSQL connections killed under load', () => {
  let t: TestApp;
  let a: Scheme;

  beforeAll(async () => {
    t = await startApp();
    a = await makeScheme(t, 'PgKill');
  });
  afterAll(async () => t?.close());

  it('answers 503 only inside the fault window and loses no acknowledged write', async () => {
    const dbName = new URL(t.dbUrl).pathname.slice(1);
    const admin = new pg.Client({
      connectionString: 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    await admin.connect();
    const duration = 12_000;
    const killAt = 4_000;
    let killedAt = 0;
    const start = Date.now();
    const killer = (async () => {
      await new Promise((r) => setTimeout(r, killAt));
      killedAt = Date.now() - start;
      for (let i = 0; i < 3; i++) {
        await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [dbName],
        );
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const [{ outcomes, acknowledged }] = await Promise.all([ledgerLoad(t, a, duration), killer]);
    await admin.end();
    const failures = outcomes.filter((o) => o.status >= 500);
    for (const f of failures) {
      expect(f.status).toBe(503);
      expect(f.problem).toBe(true);
    }
    const lastFailure = failures.length ? Math.max(...failures.map((f) => f.at)) : killedAt;
    const recovery = lastFailure - killedAt;
    expect(recovery).toBeLessThan(5000);
    expect(outcomes.filter((o) => o.at > lastFailure && o.status < 300).length).toBeGreaterThan(0);
    expect(await storedOf(t, acknowledged)).toBe(acknowledged.length);
    expect((await t.http.get('/health/ready')).status).toBe(200);
    console.log(
      `postgres kill: ${outcomes.length} requests, ${failures.length} answered 503 (all problem+json), recovered ${Math.max(0, recovery)} ms after the kill, ${acknowledged.length} acknowledged creates all stored`,
    );
  });
});
