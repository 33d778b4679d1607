// Redis down, restarted empty, or misconfigured: API writes still commit (the outbox holds the
// work), nothing answers 5xx other than readiness, and once Redis is back every queued email and
// chase happens exactly once.
import { jest } from '@jest/globals';
import { Redis } from 'ioredis';
import {
  bearer,
  eventually,
  makeScheme,
  startApp,
  type Scheme,
  type TestApp,
} from '../support/app.js';
import { act, caseBody, createCase, MEASURES } from '../support/cases.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { freePort, PrivateRedis } from './support.js';

jest.setTimeout(180_000);

describe('Redis faults', () => {
  let t: TestApp;
  let a: Scheme;
  let redis: PrivateRedis;
  let sink: SmtpSink;

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    sink = new SmtpSink();
    t = await startApp({ REDIS_URL: redis.url, SMTP_URL: await sink.start() });
    a = await makeScheme(t, 'Outage');
  });
  afterAll(async () => {
    await t?.close().catch(() => undefined);
    await redis?.stop();
    await sink?.stop();
  });

  it('keeps API writes working while Redis is down, then relays everything once', async () => {
    const c = await createCase(t.http, a);
    await act(t.http, a.idva.token, `/cases/${c.id}/accept`);
    await act(t.http, a.idva.token, `/cases/${c.id}/survey`, {
      scheduledFor: '2026-11-20T10:00:00Z',
      surveyor: 'S',
    });
    await act(t.http, a.idva.token, `/cases/${c.id}/survey/result`, { measures: MEASURES });
    await redis.stop();
    const statuses: number[] = [];
    let slowest = 0;
    const timed = async (p: Promise<{ status: number }>) => {
      const start = Date.now();
      const res = await p;
      slowest = Math.max(slowest, Date.now() - start);
      statuses.push(res.status);
      return res;
    };
    const approval = await timed(
      t.http.post(`/api/v1/cases/${c.id}/consent-requests`).set(bearer(a.idva.token)).send({}),
    );
    for (let i = 0; i < 10; i++)
      await timed(t.http.post('/api/v1/cases').set(bearer(a.idva.token)).send(caseBody(a)));
    await timed(t.http.get('/api/v1/cases?limit=5').set(bearer(a.idva.token)));
    const ready = await t.http.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.detail).toMatch(/redis/i);
    expect(statuses.every((s) => s < 500)).toBe(true);
    expect(slowest).toBeLessThan(2000);
    const [{ pending }] = await t.ds.query(
      `SELECT count(*)::int AS pending FROM outbox WHERE relayed_at IS NULL`,
    );
    expect(pending).toBeGreaterThan(0);
    console.log(
      `redis down: ${statuses.length} writes, statuses ${[...new Set(statuses)].join('/')}, slowest ${slowest} ms, ${pending} outbox rows waiting`,
    );

    await redis.start();
    await eventually(async () => expect((await t.http.get('/health/ready')).status).toBe(200));
    const url = (approval as unknown as { body: { consentUrl: string } }).body.consentUrl;
    await eventually(async () => {
      const [{ n }] = await t.ds.query(
        `SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`,
      );
      expect(n).toBe(0);
      expect(sink.messages.filter((m) => m.raw.includes(url))).toHaveLength(1);
    }, 60000);
  });

  it('loses and doubles no chase when Redis restarts empty with chases pending', async () => {
    const c = await createCase(t.http, a);
    await act(t.http, a.idva.token, `/cases/${c.id}/accept`);
    await act(t.http, a.idva.token, `/cases/${c.id}/survey`, {
      scheduledFor: '2026-11-20T10:00:00Z',
      surveyor: 'S',
    });
    await act(t.http, a.idva.token, `/cases/${c.id}/survey/result`, { measures: MEASURES });
    const ap = await act(t.http, a.idva.token, `/cases/${c.id}/consent-requests`, {}, 201);
    await eventually(async () => {
      const [{ n }] = await t.ds.query(
        `SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`,
      );
      expect(n).toBe(0);
    });
    await redis.stop();
    await redis.start();
    t.clock.set(new Date(new Date(ap.dueAt).getTime() + 1000));
    // The scheduler is re-created by the reconciler (run at every worker start and on demand).
    await eventually(
      async () =>
        expect(
          (await t.http.post('/api/v1/ops/reconcile').set(bearer(a.manager.token))).status,
        ).toBe(200),
      30000,
    );
    await eventually(async () => {
      const [row] = await t.ds.query(`SELECT chase_count FROM approvals WHERE id = $1`, [ap.id]);
      expect(row.chase_count).toBe(1);
    });
    await t.http.post('/api/v1/ops/reconcile').set(bearer(a.manager.token)).expect(200);
    const [{ n }] = await t.ds.query(
      `SELECT count(*)::int AS n FROM case_events WHERE type = 'approval_chased' AND data->>'approvalId' = $1`,
      [ap.id],
    );
    expect(n).toBe(1);
    const r = new Redis(redis.url);
    const schedulers = await r.keys(`${t.prefix}:bull:maintenance:repeat*`);
    r.disconnect();
    expect(schedulers.length).toBeGreaterThan(0);
    t.clock.set(new Date());
  });

  it('reports not ready, with the reason, when Redis may evict keys', async () => {
    const r = new Redis(redis.url);
    await r.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const res = await t.http.get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.body.detail).toMatch(/maxmemory-policy is allkeys-lru/);
    await r.config('SET', 'maxmemory-policy', 'noeviction');
    r.disconnect();
    expect((await t.http.get('/health/ready')).status).toBe(200);
  });
});
