// Batched chasing: a backlog of due approvals is chased a batch per transaction with set-based
// writes. Each approval in a batch must get exactly the rows its own chase would write, batches that
// overlap each other (or an approval's own job) must chase each approval once, and the reconciler
// must queue a backlog as batches while later chases keep their own delayed jobs.
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { FieldCrypto, encContext } from '../src/common/crypto/field-crypto.js';
import { ChaseService } from '../src/queue/chase.service.js';
import { JOBS, QUEUES } from '../src/queue/queue.constants.js';
import {
  bearer,
  eventually,
  makeScheme,
  startApp,
  type Scheme,
  type TestApp,
} from './support/app.js';
import { overdueConsents, toAwaitingCostApproval } from './support/cases.js';

/** Small batches, so that the backlog test spans several. */
const CHASE_BATCH = 20;

describe('batched chasing', () => {
  let t: TestApp;
  let a: Scheme;
  let b: Scheme;
  let chase: ChaseService;

  beforeAll(async () => {
    t = await startApp({ CHASE_BATCH_SIZE: String(CHASE_BATCH) });
    a = await makeScheme(t, 'Alpha');
    b = await makeScheme(t, 'Beta');
    chase = t.app.get(ChaseService);
  });
  afterAll(async () => {
    await t?.close();
  });

  const landlordEmail = async (s: Scheme) =>
    (
      await t.http.get('/api/v1/landlords?limit=10').set(bearer(s.idva.token)).expect(200)
    ).body.items.find((x: { id: string }) => x.id === s.landlordId).email as string;

  /** A cost approval past its due date (a survey whose measures cost more than the threshold). */
  async function overdueCost(s: Scheme): Promise<string> {
    const { approval } = await toAwaitingCostApproval(t.http, s, {
      code: 'sanctuary_room',
      quantity: 1,
      estimatedCost: 4800,
    });
    await t.ds.query(
      `UPDATE approvals SET due_at = now() - interval '1 minute', next_chase_at = now() - interval '1 minute' WHERE id = $1`,
      [approval.id],
    );
    return approval.id;
  }

  it('writes for each approval of a mixed batch exactly what its own chase writes', async () => {
    const consentsA = await overdueConsents(t, a, 3);
    const [consentB] = await overdueConsents(t, b, 1);
    const cost = await overdueCost(a);
    const [atLimit] = await overdueConsents(t, a, 1);
    await t.ds.query(`UPDATE approvals SET chase_count = 3 WHERE id = $1`, [atLimit]);
    const [notDue] = await overdueConsents(t, a, 1);
    await t.ds.query(
      `UPDATE approvals SET next_chase_at = now() + interval '1 day' WHERE id = $1`,
      [notDue],
    );
    const ids = [...consentsA, consentB, cost, atLimit, notDue];

    expect(await chase.chaseApprovals(ids)).toEqual({ chased: 5, escalated: 1, notDue: 1 });

    const approvals = await t.ds.query(
      `SELECT a.id, a.case_id, a.scheme_id, a.chase_count, a.last_chased_at, a.next_chase_at, a.escalated_at, a.version, c.reference, c.overdue
       FROM approvals a JOIN cases c ON c.id = a.case_id WHERE a.id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(approvals.map((r: { id: string }) => [r.id, r]));
    const row = (id: string) => byId.get(id) as Record<string, any>;
    for (const id of [...consentsA, consentB, cost]) {
      expect(row(id).chase_count).toBe(1);
      expect(row(id).last_chased_at).not.toBeNull();
      expect(row(id).next_chase_at.getTime()).toBeGreaterThan(Date.now());
      expect(row(id).escalated_at).toBeNull();
    }
    expect(row(atLimit)).toMatchObject({ chase_count: 3, next_chase_at: null, overdue: true });
    expect(row(atLimit).escalated_at).not.toBeNull();
    expect(row(notDue)).toMatchObject({ chase_count: 0, last_chased_at: null });

    // Timeline events and their audit rows: one each, by the system, per approval chased.
    const events = await t.ds.query(
      `SELECT e.case_id, e.scheme_id, e.type, e.data, e.actor_id FROM case_events e
       WHERE e.type IN ('approval_chased', 'approval_escalated') AND e.data->>'approvalId' = ANY($1)`,
      [ids],
    );
    expect(events).toHaveLength(6);
    for (const id of [...consentsA, consentB, cost]) {
      const e = events.filter((x: { data: { approvalId: string } }) => x.data.approvalId === id);
      expect(e).toEqual([
        {
          case_id: row(id).case_id,
          scheme_id: row(id).scheme_id,
          type: 'approval_chased',
          data: { approvalId: id, kind: id === cost ? 'cost' : 'landlord_consent', chaseNo: 1 },
          actor_id: null,
        },
      ]);
    }
    expect(
      events.find((x: { data: { approvalId: string } }) => x.data.approvalId === atLimit),
    ).toMatchObject({
      type: 'approval_escalated',
      data: { approvalId: atLimit, kind: 'landlord_consent', chaseCount: 3 },
    });
    const audit = await t.ds.query(
      `SELECT entity_id, action, data, scheme_id, actor_id FROM audit_log
       WHERE action IN ('case.approval_chased', 'case.approval_escalated') AND entity_id = ANY($1::uuid[])`,
      [approvals.map((r: { case_id: string }) => r.case_id)],
    );
    expect(audit).toHaveLength(6);
    expect(audit.every((x: { data: unknown; actor_id: null }) => x.actor_id === null)).toBe(true);
    expect(audit[0].data).toEqual({ by: 'system' });

    // Tasks: the IDVA of each consent (in the approval's own scheme), the managers for the cost
    // chase and the escalation.
    const tasks = await t.ds.query(
      `SELECT user_id, kind, approval_id, due_at FROM tasks WHERE approval_id = ANY($1::uuid[])
       AND kind IN ('consent_chased', 'cost_chased', 'consent_escalated')`,
      [ids],
    );
    const taskOf = (id: string) =>
      tasks.filter((x: { approval_id: string }) => x.approval_id === id);
    for (const id of consentsA)
      expect(taskOf(id)).toEqual([
        {
          user_id: a.idva.id,
          kind: 'consent_chased',
          approval_id: id,
          due_at: row(id).next_chase_at,
        },
      ]);
    expect(taskOf(consentB)).toMatchObject([{ user_id: b.idva.id, kind: 'consent_chased' }]);
    expect(taskOf(cost)).toMatchObject([{ user_id: a.manager.id, kind: 'cost_chased' }]);
    expect(taskOf(atLimit)).toMatchObject([{ user_id: a.manager.id, kind: 'consent_escalated' }]);

    // Emails: the landlord's reminder (encrypted, bound to its own id) and the managers' alerts,
    // each with its outbox row.
    const crypto = t.app.get(FieldCrypto);
    const mails = await t.ds.query(
      `SELECT n.id, n.kind, n.subject, n.recipient_enc, n.body_enc, n.dedupe_key, o.job_id
       FROM notifications n LEFT JOIN outbox o ON o.job_id = 'email.' || n.id
       WHERE n.dedupe_key LIKE ANY($1) AND n.kind <> 'consent_request'`,
      [ids.map((id) => `%${id}%`)],
    );
    const mailOf = (id: string) =>
      mails.filter((x: { dedupe_key: string }) => x.dedupe_key.includes(id));
    const to = (n: { id: string; recipient_enc: string }) =>
      crypto.decrypt(n.recipient_enc, encContext('notifications', n.id, 'recipient'));
    for (const [id, s] of [...consentsA.map((x) => [x, a] as const), [consentB, b] as const]) {
      const [m] = mailOf(id).filter((x: { kind: string }) => x.kind === 'consent_chase');
      expect(m).toMatchObject({
        dedupe_key: `consent-chase:${id}:1`,
        subject: `Reminder: consent requested for security works (${row(id).reference})`,
        job_id: `email.${m.id}`,
      });
      expect(to(m)).toBe(await landlordEmail(s));
      const body = crypto.decrypt(m.body_enc, encContext('notifications', m.id, 'body'));
      expect(body).toMatch(/^Reminder: we are still waiting for your answer\./);
      expect(body).toContain('http://sanctuary.test/');
    }
    expect(mailOf(cost)).toMatchObject([
      { kind: 'cost_chased', subject: `Sanctuary ${row(cost).reference}: cost approval waiting` },
    ]);
    expect(mailOf(atLimit)).toMatchObject([
      { kind: 'consent_escalated', dedupe_key: `approval-escalated:${atLimit}:${a.manager.id}` },
    ]);
    expect(mails.every((x: { job_id: string | null }) => x.job_id !== null)).toBe(true);

    // The next chase of each approval chased is in the outbox, due when next_chase_at says.
    const next = await t.ds.query(
      `SELECT job_id, name, payload, run_at FROM outbox WHERE job_id LIKE 'approval-chase.%.2' AND payload->>'approvalId' = ANY($1)`,
      [ids],
    );
    expect(next).toHaveLength(5);
    for (const n of next) {
      expect(n.name).toBe(JOBS.approvalChase);
      expect(n.job_id).toBe(`approval-chase.${n.payload.approvalId}.2`);
      expect(n.run_at).toEqual(row(n.payload.approvalId).next_chase_at);
    }

    // Nothing is due any more: running the batch again changes nothing.
    expect(await chase.chaseApprovals(ids)).toEqual({ chased: 0, escalated: 0, notDue: 7 });
  });

  it('chases each approval once when batches overlap each other and its own job', async () => {
    const ids = await overdueConsents(t, a, 8);
    const results = await Promise.all([
      chase.chaseApprovals(ids),
      chase.chaseApprovals([...ids].reverse()),
      chase.chaseApprovals(ids.slice(2, 6)),
      chase.chaseApproval(ids[3]),
      chase.chaseApproval(ids[7]),
    ]);
    const counts = results.map((r) =>
      typeof r === 'string' ? { chased: r === 'chased' ? 1 : 0 } : r,
    );
    expect(counts.reduce((n, r) => n + r.chased, 0)).toBe(8);
    const events = await t.ds.query(
      `SELECT data->>'approvalId' AS id, count(*)::int AS n FROM case_events
       WHERE type = 'approval_chased' AND data->>'approvalId' = ANY($1) GROUP BY 1`,
      [ids],
    );
    expect(events.map((e: { n: number }) => e.n)).toEqual(Array(8).fill(1));
    const [{ n }] = await t.ds.query(
      `SELECT count(*)::int AS n FROM notifications WHERE dedupe_key = ANY($1)`,
      [ids.map((id) => `consent-chase:${id}:1`)],
    );
    expect(n).toBe(8);
  });

  it('chases the rest of a batch when one approval cannot be chased, and still fails the job', async () => {
    const ids = await overdueConsents(t, a, 4);
    // A case whose ciphertext no longer decrypts (as after a botched key change): its chase fails.
    const [poison] = ids;
    await t.ds.query(
      `UPDATE cases SET personal_enc = 'v1:t1:AAAA:AAAA:AAAA' WHERE id = (SELECT case_id FROM approvals WHERE id = $1)`,
      [poison],
    );
    await expect(chase.chaseApprovals(ids)).rejects.toThrow();
    const rows = await t.ds.query(
      `SELECT id, chase_count FROM approvals WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const count = new Map(
      rows.map((r: { id: string; chase_count: number }) => [r.id, r.chase_count]),
    );
    expect(count.get(poison)).toBe(0);
    for (const id of ids.slice(1)) expect(count.get(id)).toBe(1);
    // The retry of the job chases nothing twice and fails on the bad one again.
    await expect(chase.chaseApprovals(ids)).rejects.toThrow();
    const [{ n }] = await t.ds.query(
      `SELECT count(*)::int AS n FROM case_events WHERE type = 'approval_chased' AND data->>'approvalId' = ANY($1)`,
      [ids],
    );
    expect(n).toBe(3);
    // Out of the way of the next test's reconcile.
    await t.ds.query(`UPDATE approvals SET next_chase_at = NULL WHERE id = $1`, [poison]);
  });

  it('queues a backlog as batches and later chases as their own delayed jobs', async () => {
    const backlog = await overdueConsents(t, a, CHASE_BATCH + 5);
    const [later] = await overdueConsents(t, a, 1);
    await t.ds.query(
      `UPDATE approvals SET next_chase_at = now() + interval '1 hour' WHERE id = $1`,
      [later],
    );
    const queue = t.app.get<Queue>(getQueueToken(QUEUES.chasing));
    await t.http.post('/api/v1/ops/reconcile').set(bearer(a.manager.token)).expect(200);
    await eventually(async () => {
      const [{ n }] = await t.ds.query(
        `SELECT count(*)::int AS n FROM approvals WHERE id = ANY($1::uuid[]) AND chase_count = 1`,
        [backlog],
      );
      expect(n).toBe(backlog.length);
    }, 60000);
    const jobs = await queue.getJobs(['completed', 'active', 'waiting', 'delayed']);
    const batches = jobs.filter((j) => j.name === JOBS.approvalChaseBatch);
    const batched = batches.flatMap((j) => j.data.approvalIds as string[]);
    expect(new Set(batched)).toEqual(new Set(backlog));
    expect(batches.every((j) => j.data.approvalIds.length <= CHASE_BATCH)).toBe(true);
    // Ids only in the payload.
    expect(Object.keys(batches[0].data)).toEqual(['approvalIds']);
    const own = jobs.find((j) => j.id === `approval-chase.${later}.1`);
    expect(own?.name).toBe(JOBS.approvalChase);
    expect(await own?.getState()).toBe('delayed');
    expect(own!.opts.delay).toBeGreaterThan(3_500_000);
    // A second reconcile queues nothing new for the backlog: nothing in it is due any more.
    await t.http.post('/api/v1/ops/reconcile').set(bearer(a.manager.token)).expect(200);
    const again = (await queue.getJobs(['completed', 'active', 'waiting', 'delayed'])).filter(
      (j) => j.name === JOBS.approvalChaseBatch,
    );
    expect(again).toHaveLength(batches.length);
  });
});
