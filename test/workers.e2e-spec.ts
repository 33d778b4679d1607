// Several worker processes on one database and one Redis: each due chase is done once. A worker
// killed in the middle of a chase and restarted: still exactly one chase.
import {
  bearer,
  eventually,
  makeScheme,
  startApp,
  startWith,
  type Scheme,
  type TestApp,
} from './support/app.js';
import { overdueConsents } from './support/cases.js';
import { SmtpSink } from './support/smtp-sink.js';
import { spawnWorker, within } from './faults/support.js';

describe('worker processes', () => {
  let t: TestApp;
  let a: Scheme;
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = new SmtpSink();
    // This process runs workers too: with the spawned one, two workers compete for every job.
    t = await startApp({ SMTP_URL: await sink.start() });
    a = await makeScheme(t, 'Workers');
  });
  afterAll(async () => {
    await t?.close();
    await sink?.stop();
  });

  const dueApprovals = (n: number) => overdueConsents(t, a, n);

  async function expectChasedOnce(ids: string[]): Promise<void> {
    await eventually(async () => {
      const rows = await t.ds.query(
        `SELECT chase_count FROM approvals WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      expect(rows.map((r: { chase_count: number }) => r.chase_count)).toEqual(
        Array(ids.length).fill(1),
      );
      const [{ n }] = await t.ds.query(
        `SELECT count(*)::int AS n FROM notifications WHERE kind = 'consent_chase' AND status = 'sent' AND dedupe_key LIKE ANY($1)`,
        [ids.map((id) => `consent-chase:${id}:%`)],
      );
      expect(n).toBe(ids.length);
    }, 45000);
    const events = await t.ds.query(
      `SELECT count(*)::int AS n FROM case_events WHERE type = 'approval_chased' AND data->>'approvalId' = ANY($1)`,
      [ids],
    );
    expect(events[0].n).toBe(ids.length);
    const tasks = await t.ds.query(
      `SELECT count(*)::int AS n FROM tasks WHERE kind = 'consent_chased' AND approval_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(tasks[0].n).toBe(ids.length);
  }

  it('does each due chase once with two workers running', async () => {
    const other = spawnWorker(t.env, { SMTP_URL: t.env.SMTP_URL });
    await other.ready;
    try {
      const ids = await dueApprovals(6);
      await t.http.post('/api/v1/ops/reconcile').set(bearer(a.manager.token)).expect(200);
      await expectChasedOnce(ids);
      const reminders = sink.messages.filter((m) => /^Reminder/.test(m.subject));
      expect(reminders).toHaveLength(ids.length);
    } finally {
      other.proc.kill('SIGTERM');
      expect(await other.exited).toBe(0);
    }
  });

  it('does the chase once when a worker is killed mid-job and restarted', async () => {
    // Stop this process's workers so the chase runs in the worker that gets killed.
    await t.app.close();
    t = await startWith({ ...t.env, APP_ROLE: 'api' }, t.clock);
    const ids = await dueApprovals(2);
    const doomed = spawnWorker(t.env, {
      SMTP_URL: t.env.SMTP_URL,
      SANCTUARY_FAILPOINT: 'chase.after_commit',
    });
    expect(await within(doomed.exited, 30000)).toBe(-9);
    const clean = spawnWorker(t.env, { SMTP_URL: t.env.SMTP_URL });
    try {
      await expectChasedOnce(ids);
    } finally {
      await clean.ready; // SIGTERM before the handlers are installed would end it by signal
      clean.proc.kill('SIGTERM');
      expect(await clean.exited).toBe(0);
    }
  });
});
