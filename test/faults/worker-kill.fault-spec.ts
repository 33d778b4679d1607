// A worker killed mid-job (SIGKILL at a failpoint), again and again, then restarted: every due chase
// is recorded exactly once, and every reminder email carries one Message-ID at the SMTP sink.
import { jest } from '@jest/globals';
import { eventually, makeScheme, startApp, type Scheme, type TestApp } from '../support/app.js';
import { overdueConsents } from '../support/cases.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { spawnWorker, within } from './support.js';

const POINTS = ['chase.before_tx', 'chase.after_commit', 'email.after_send'] as const;
/** Batches of two (CHASE_BATCH_SIZE), so a kill after commit leaves the rest of the backlog due. */
const APPROVALS_PER_POINT = 16;
const BATCH = '2';
const KILLS_PER_POINT = 8;

jest.setTimeout(300_000);

describe('worker killed mid-job', () => {
  let t: TestApp;
  let a: Scheme;
  let sink: SmtpSink;
  const figures: string[] = [];

  beforeAll(async () => {
    sink = new SmtpSink();
    // API only in this process: every job runs in the worker processes this test kills.
    t = await startApp({ APP_ROLE: 'api', SMTP_URL: await sink.start() });
    a = await makeScheme(t, 'Faults');
  });
  afterAll(async () => {
    console.log(`worker-kill figures:\n${figures.join('\n')}`);
    await t?.close();
    await sink?.stop();
  });

  const dueApprovals = (n: number) => overdueConsents(t, a, n);

  it.each(POINTS)('at %s: every due chase exactly once after repeated kills', async (point) => {
    const ids = await dueApprovals(APPROVALS_PER_POINT);
    let kills = 0;
    for (let i = 0; i < KILLS_PER_POINT; i++) {
      const w = spawnWorker(t.env, {
        SANCTUARY_FAILPOINT: point,
        SMTP_URL: t.env.SMTP_URL,
        CHASE_BATCH_SIZE: BATCH,
      });
      const code = await within(w.exited, 25000);
      if (code === 'timeout') {
        w.proc.kill('SIGKILL');
        await w.exited;
        break; // nothing left that reaches this failpoint
      }
      expect(code).toBe(-9);
      kills++;
    }
    const clean = spawnWorker(t.env, { SMTP_URL: t.env.SMTP_URL, CHASE_BATCH_SIZE: BATCH });
    try {
      await eventually(
        async () => {
          const rows = await t.ds.query(
            `SELECT chase_count FROM approvals WHERE id = ANY($1::uuid[])`,
            [ids],
          );
          expect(rows.map((r: { chase_count: number }) => r.chase_count)).toEqual(
            Array(ids.length).fill(1),
          );
          const mail = await t.ds.query(
            `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*)::int AS total FROM notifications WHERE kind = 'consent_chase' AND dedupe_key LIKE ANY($1)`,
            [ids.map((id) => `consent-chase:${id}:%`)],
          );
          expect(mail[0]).toEqual({ sent: ids.length, total: ids.length });
        },
        60000,
        250,
      );
    } finally {
      // SIGTERM is handled once the worker runs; before that it would end the process by signal.
      await clean.ready;
      clean.proc.kill('SIGTERM');
      expect(await clean.exited).toBe(0);
    }
    const events = await t.ds.query(
      `SELECT data->>'approvalId' AS id, count(*)::int AS n FROM case_events WHERE type = 'approval_chased' AND data->>'approvalId' = ANY($1) GROUP BY 1`,
      [ids],
    );
    expect(events.map((e: { n: number }) => e.n)).toEqual(Array(ids.length).fill(1));
    const byMessageId = new Map<string, number>();
    for (const m of sink.messages.filter((x) => /^Reminder/.test(x.subject))) {
      const mid = /^Message-ID: (.*)$/im.exec(m.raw)?.[1]?.trim() ?? '';
      byMessageId.set(mid, (byMessageId.get(mid) ?? 0) + 1);
    }
    const [{ ids: notificationIds }] = await t.ds.query(
      `SELECT array_agg(id::text) AS ids FROM notifications WHERE kind = 'consent_chase' AND dedupe_key LIKE ANY($1)`,
      [ids.map((id) => `consent-chase:${id}:%`)],
    );
    const delivered = notificationIds.map(
      (nid: string) => byMessageId.get(`<${nid}@sanctuary.local>`) ?? 0,
    );
    expect(delivered.every((n: number) => n >= 1)).toBe(true);
    if (point !== 'email.after_send') expect(delivered).toEqual(Array(ids.length).fill(1));
    figures.push(
      `  ${point}: ${kills} kills, ${ids.length} chases recorded once each, messages per Message-ID ${JSON.stringify(delivered)}`,
    );
  });
});
