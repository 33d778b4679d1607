// The PostgreSQL server restarted under load (a private cluster, `pg_ctl restart -m fast`): the
// process stays up, errors inside the fault window are 503 problem+json, it recovers within seconds
// of the server coming back, and no acknowledged write is lost (client-side ledger).
import { jest } from '@jest/globals';
import { makeScheme, startApp, type Scheme, type TestApp } from '../support/app.js';
import { freePort, ledgerLoad, PrivatePostgres, storedOf } from './support.js';

jest.setTimeout(180_000);

describe('PostgreSQL server restarted under load', () => {
  let t: TestApp;
  let a: Scheme;
  let server: PrivatePostgres;

  beforeAll(async () => {
    server = new PrivatePostgres(await freePort());
    await server.init();
    t = await startApp({ DATABASE_URL: `${server.url}/sanctuary_restart` });
    a = await makeScheme(t, 'PgRestart');
  });
  afterAll(async () => {
    await t?.close();
    await server?.destroy();
  });

  it('answers 503 only while the server is away and loses no acknowledged write', async () => {
    const duration = 14_000;
    let downAt = 0;
    let upAt = 0;
    const start = Date.now();
    const restarter = (async () => {
      await new Promise((r) => setTimeout(r, 4_000));
      downAt = Date.now() - start;
      await server.restart();
      upAt = Date.now() - start;
    })();
    const [{ outcomes, acknowledged }] = await Promise.all([ledgerLoad(t, a, duration), restarter]);
    const failures = outcomes.filter((o) => o.status >= 400);
    for (const f of failures) {
      expect(f.status).toBe(503);
      expect(f.problem).toBe(true);
      // Only inside the fault window (the restart, and the moments after it while pools reconnect).
      expect(f.at).toBeGreaterThanOrEqual(downAt);
    }
    expect(failures.length).toBeGreaterThan(0); // the fault was real
    const lastFailure = Math.max(...failures.map((f) => f.at));
    const recovery = lastFailure - upAt;
    expect(recovery).toBeLessThan(5000);
    expect(outcomes.filter((o) => o.at > lastFailure && o.status < 300).length).toBeGreaterThan(0);
    expect(await storedOf(t, acknowledged)).toBe(acknowledged.length);
    expect((await t.http.get('/health/ready')).status).toBe(200);
    console.log(
      `postgres restart: ${outcomes.length} requests, server down ${downAt} ms → back ${upAt} ms, ${failures.length} answered 503 (all problem+json), last one ${Math.max(0, recovery)} ms after the server was back, ${acknowledged.length} acknowledged creates all stored`,
    );
  });
});
