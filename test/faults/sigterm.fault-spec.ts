// SIGTERM to a worker with chases in flight: the jobs in hand finish (or go back to the queue),
// the process exits 0, and a new worker completes the rest — each chase exactly once, none failed.
import { jest } from '@jest/globals';
import { Queue } from 'bullmq';
import { bullConnection } from '../../src/queue/bull-connection.js';
import { eventually, makeScheme, startApp, type Scheme, type TestApp } from '../support/app.js';
import { overdueConsents } from '../support/cases.js';
import { spawnWorker } from './support.js';

jest.setTimeout(240_000);

describe('SIGTERM with jobs in flight', () => {
  let t: TestApp;
  let a: Scheme;

  beforeAll(async () => {
    t = await startApp({ APP_ROLE: 'api' });
    a = await makeScheme(t, 'Sigterm');
  });
  afterAll(async () => t?.close());

  it('finishes or releases every job and exits 0', async () => {
    const ids = await overdueConsents(t, a, 40);
    // Batches of two, so that many chasing jobs are in flight when SIGTERM arrives.
    const first = spawnWorker(t.env, { CHASE_BATCH_SIZE: '2' });
    await first.ready;
    await eventually(
      async () => {
        const [{ n }] = await t.ds.query(
          `SELECT count(*)::int AS n FROM approvals WHERE id = ANY($1::uuid[]) AND chase_count = 1`,
          [ids],
        );
        expect(n).toBeGreaterThan(0);
      },
      60000,
      20,
    );
    first.proc.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const [{ done }] = await t.ds.query(
      `SELECT count(*)::int AS done FROM approvals WHERE id = ANY($1::uuid[]) AND chase_count = 1`,
      [ids],
    );
    const second = spawnWorker(t.env, { CHASE_BATCH_SIZE: '2' });
    try {
      await eventually(async () => {
        const rows = await t.ds.query(
          `SELECT chase_count FROM approvals WHERE id = ANY($1::uuid[])`,
          [ids],
        );
        expect(rows.map((r: { chase_count: number }) => r.chase_count)).toEqual(
          Array(ids.length).fill(1),
        );
      }, 90000);
    } finally {
      await second.ready;
      second.proc.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
    const [{ n }] = await t.ds.query(
      `SELECT count(*)::int AS n FROM case_events WHERE type = 'approval_chased' AND data->>'approvalId' = ANY($1)`,
      [ids],
    );
    expect(n).toBe(ids.length);
    const queue = new Queue('chasing', {
      connection: bullConnection(t.env.REDIS_URL),
      prefix: `${t.prefix}:bull`,
    });
    expect(await queue.getFailedCount()).toBe(0);
    await queue.close();
    console.log(
      `sigterm: ${done} of ${ids.length} chases done before SIGTERM, exit 0, the rest done by the next worker, each once, 0 failed jobs`,
    );
  });
});
