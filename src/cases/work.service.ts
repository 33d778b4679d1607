// The work that hangs off a case — approvals, jobs, review schedules — and the alerts it raises.
// Shared by the case, approval and job services so each rule lives in one place.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { addDays } from '../common/working-days.js';
import { workingDaysDeadline } from '../common/working-days.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { OutboxService, type OutboxMessage } from '../queue/outbox.service.js';
import { JOBS, QUEUES, jobIds } from '../queue/queue.constants.js';
import { type SchemeSettings, withDefaults } from '../schemes/scheme.entity.js';
import type { CaseRow } from './case-row.js';

/** A review done up to this many days before a scheduled review counts for it. */
export const REVIEW_EARLY_DAYS = 7;

@Injectable()
export class WorkService {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly outbox: OutboxService,
  ) {}

  async settings(m: EntityManager, schemeId: string): Promise<SchemeSettings> {
    const [row] = await m.query(`SELECT settings FROM schemes WHERE id = $1`, [schemeId]);
    return withDefaults(row?.settings);
  }

  async scheduleApprovalChase(
    m: EntityManager,
    approvalId: string,
    step: number,
    runAt: Date,
  ): Promise<void> {
    await this.outbox.add(m, approvalChaseMessage(approvalId, step, runAt));
  }

  async scheduleJobChase(
    m: EntityManager,
    jobId: string,
    step: string,
    runAt: Date,
  ): Promise<void> {
    await this.outbox.add(m, {
      queue: QUEUES.chasing,
      name: JOBS.jobChase,
      jobId: jobIds.jobChase(jobId, step),
      payload: { jobId },
      runAt,
    });
  }

  async scheduleReview(
    m: EntityManager,
    caseId: string,
    offsetDays: number,
    step: string,
    runAt: Date,
  ): Promise<void> {
    await this.outbox.add(m, {
      queue: QUEUES.chasing,
      name: JOBS.reviewDue,
      jobId: jobIds.reviewDue(caseId, offsetDays, step),
      payload: { caseId, offsetDays },
      runAt,
    });
  }

  /** A case that stops (cancelled, unsuccessful, closed) leaves nothing to chase. */
  async closeOpenWork(m: EntityManager, row: CaseRow, _at: Date): Promise<void> {
    await m.query(
      `UPDATE approvals SET status = 'withdrawn', next_chase_at = NULL, version = version + 1 WHERE case_id = $1 AND status = 'pending'`,
      [row.id],
    );
    await m.query(
      `UPDATE jobs SET status = 'cancelled', next_chase_at = NULL, version = version + 1 WHERE case_id = $1 AND status IN ('offered', 'accepted')`,
      [row.id],
    );
    await m.query(
      `UPDATE review_schedules SET next_action_at = NULL WHERE case_id = $1 AND done_at IS NULL`,
      [row.id],
    );
  }

  /** Tells the IDVA and the scheme managers at once, once per case, that a landlord refused. */
  async refusalAlert(
    m: EntityManager,
    row: CaseRow,
    via: string,
    approvalId?: string,
  ): Promise<void> {
    const idva = await this.notifications.user(m, row.assignedTo ?? row.createdBy);
    const managers = await this.notifications.managers(m, row.schemeId);
    await this.notifications.staffAlert(m, {
      schemeId: row.schemeId,
      users: [...(idva ? [idva] : []), ...managers],
      kind: 'landlord_refusal',
      caseId: row.id,
      approvalId: approvalId ?? null,
      dedupeKey: `landlord-refusal:${row.id}`,
      subject: `Sanctuary ${row.reference}: landlord refused consent`,
      body:
        `The landlord has refused consent for the sanctuary works on case ${row.reference} (${via}).\n` +
        `The case is marked unsuccessful: landlord refusal. Please look at other safe accommodation options with the service user.\n` +
        `Sign in to Sanctuary to see the case.`,
    });
  }

  /** Installation done: reviews fall due from the installation date, retrospective approvals start their clock. */
  async startSupport(m: EntityManager, row: CaseRow, installedAt: Date): Promise<void> {
    const settings = await this.settings(m, row.schemeId);
    for (const offset of settings.reviewOffsetsDays) {
      const due = new Date(installedAt.getTime() + offset * 86_400_000);
      await m.query(
        `INSERT INTO review_schedules (case_id, offset_days, scheme_id, due_at, next_action_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (case_id, offset_days) DO NOTHING`,
        [row.id, offset, row.schemeId, due],
      );
      await this.scheduleReview(m, row.id, offset, 'due', due);
    }
    const retro: { id: string; due_at: Date }[] = await m
      .query(
        `UPDATE approvals SET due_at = $2, next_chase_at = $2, version = version + 1
         WHERE case_id = $1 AND retrospective AND status = 'pending' RETURNING id, due_at`,
        [row.id, workingDaysDeadline(installedAt, settings.consentDueWorkingDays)],
      )
      .then(
        (r: unknown) =>
          (Array.isArray(r) && Array.isArray(r[0]) ? r[0] : r) as { id: string; due_at: Date }[],
      );
    for (const a of retro) await this.scheduleApprovalChase(m, a.id, 1, a.due_at);
  }

  /** A review fulfils every scheduled review already due (or due within a week). */
  async reviewRecorded(m: EntityManager, row: CaseRow, at: Date): Promise<void> {
    await m.query(
      `UPDATE review_schedules SET done_at = $2, next_action_at = NULL WHERE case_id = $1 AND done_at IS NULL AND due_at <= $3`,
      [
        row.id,
        at,
        new Date(`${addDays(at.toISOString().slice(0, 10), REVIEW_EARLY_DAYS)}T23:59:59Z`),
      ],
    );
  }
}

/** The outbox message that runs chase number `step` of an approval at `runAt`. */
export function approvalChaseMessage(approvalId: string, step: number, runAt: Date): OutboxMessage {
  return {
    queue: QUEUES.chasing,
    name: JOBS.approvalChase,
    jobId: jobIds.approvalChase(approvalId, step),
    payload: { approvalId },
    runAt,
  };
}
