// PostgreSQL is the record; Redis only schedules. The reconciler (a BullMQ job scheduler) rebuilds
// from stored deadlines every job that should exist: everything due now is queued at once, and
// everything due before the next pass is queued with its delay. Deterministic job ids make this a
// no-op when the jobs are already there, and idempotent handlers make a duplicate harmless.
import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { DEFAULT_JOB_OPTIONS } from './outbox-relay.service.js';
import { JOBS, QUEUES, jobIds } from './queue.constants.js';

/**
 * How many jobs are checked at once. Each check is a few Redis round trips; one at a time, 10,000
 * due chases kept a worker's start-up busy for over 90 s on a loaded 2-core machine.
 */
const PARALLEL_CHECKS = 50;

export interface ReconcileResult {
  approvals: number;
  jobs: number;
  reviews: number;
}

@Injectable()
export class Reconciler {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    @InjectQueue(QUEUES.chasing) private readonly chasing: Queue,
    @InjectQueue(QUEUES.maintenance) private readonly maintenance: Queue,
    @InjectQueue(QUEUES.notifications) private readonly notifications: Queue,
  ) {}

  /** (Re)creates the repeatable schedulers; safe to call on every start. */
  async ensureSchedulers(): Promise<void> {
    await this.maintenance.upsertJobScheduler(
      'reconcile',
      { every: this.config.env.RECONCILE_EVERY_MS },
      { name: JOBS.reconcile, data: {} },
    );
    await this.maintenance.upsertJobScheduler(
      'length-of-stay',
      { pattern: '15 2 * * *', tz: 'Europe/London' },
      { name: JOBS.lengthOfStay, data: {} },
    );
  }

  async run(): Promise<ReconcileResult> {
    await this.ensureSchedulers();
    const now = this.clock.now();
    const horizon = new Date(now.getTime() + 2 * this.config.env.RECONCILE_EVERY_MS);
    // Measured when each job is added, not when the pass began: a pass that adds thousands of
    // jobs takes seconds, and a delay fixed at its start would make every later job run that late.
    const delay = (at: Date) => Math.max(0, at.getTime() - this.clock.now().getTime());
    const approvals: { id: string; chase_count: number; next_chase_at: Date }[] =
      await this.ds.query(
        `SELECT id, chase_count, next_chase_at FROM approvals WHERE status = 'pending' AND next_chase_at IS NOT NULL AND next_chase_at <= $1 ORDER BY next_chase_at, id`,
        [horizon],
      );
    // Chases already due (a backlog: after an outage, a lost Redis, or at go-live) run in batches,
    // one transaction per batch; the ones falling due later get their own delayed job.
    const dueNow = approvals.filter((a) => a.next_chase_at <= now);
    // CHASE_BATCH_SIZE (100) approvals per transaction: each kind of row is written in one statement
    // (~12 statements for 100 chases instead of ~12 per chase), and 100 case locks are held for
    // tens of milliseconds.
    const batches = chunk(dueNow, this.config.env.CHASE_BATCH_SIZE);
    await eachLimited(batches, PARALLEL_CHECKS, (batch) =>
      ensureJob(
        this.chasing,
        JOBS.approvalChaseBatch,
        { approvalIds: batch.map((a) => a.id) },
        jobIds.approvalChaseBatch(batch.map((a) => ({ id: a.id, step: a.chase_count + 1 }))),
        0,
      ),
    );
    await eachLimited(
      approvals.filter((a) => a.next_chase_at > now),
      PARALLEL_CHECKS,
      (a) =>
        ensureJob(
          this.chasing,
          JOBS.approvalChase,
          { approvalId: a.id },
          jobIds.approvalChase(a.id, a.chase_count + 1),
          delay(a.next_chase_at),
        ),
    );
    const jobs: { id: string; status: string; chase_count: number; next_chase_at: Date }[] =
      await this.ds.query(
        `SELECT id, status, chase_count, next_chase_at FROM jobs WHERE status IN ('offered','accepted') AND next_chase_at IS NOT NULL AND next_chase_at <= $1`,
        [horizon],
      );
    await eachLimited(jobs, PARALLEL_CHECKS, (j) => {
      const phase = j.status === 'offered' ? 'confirm' : 'outcome';
      return ensureJob(
        this.chasing,
        JOBS.jobChase,
        { jobId: j.id },
        jobIds.jobChase(j.id, `${phase}-${j.chase_count + 1}`),
        delay(j.next_chase_at),
      );
    });
    const reviews: {
      case_id: string;
      offset_days: number;
      reminded_at: Date | null;
      next_action_at: Date;
    }[] = await this.ds.query(
      `SELECT case_id, offset_days, reminded_at, next_action_at FROM review_schedules WHERE next_action_at IS NOT NULL AND next_action_at <= $1`,
      [horizon],
    );
    await eachLimited(reviews, PARALLEL_CHECKS, (r) =>
      ensureJob(
        this.chasing,
        JOBS.reviewDue,
        { caseId: r.case_id, offsetDays: r.offset_days },
        jobIds.reviewDue(r.case_id, r.offset_days, r.reminded_at ? 'overdue' : 'due'),
        delay(r.next_action_at),
      ),
    );
    const queued: { id: string }[] = await this.ds.query(
      `SELECT id FROM notifications WHERE status = 'queued' AND created_at < $1`,
      [new Date(now.getTime() - 60_000)],
    );
    await eachLimited(queued, PARALLEL_CHECKS, (n) =>
      ensureJob(
        this.notifications,
        JOBS.emailSend,
        { notificationId: n.id },
        jobIds.emailSend(n.id),
        0,
      ),
    );
    return { approvals: approvals.length, jobs: jobs.length, reviews: reviews.length };
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs fn over items, at most `limit` at a time; stops taking new items after a failure. */
async function eachLimited<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Makes sure a job with this id will run: adds it when missing, promotes a delayed one that is due
 * now, and replaces one that already finished while the work is still due (it ran early).
 */
export async function ensureJob(
  queue: Queue,
  name: string,
  data: Record<string, unknown>,
  jobId: string,
  delay: number,
): Promise<void> {
  const existing = await queue.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state === 'delayed') {
      if (delay === 0) await existing.promote().catch(() => undefined);
      return;
    }
    if (state !== 'completed' && state !== 'failed') return;
    await existing.remove().catch(() => undefined);
  }
  await queue.add(name, data, { ...DEFAULT_JOB_OPTIONS, jobId, delay });
}
