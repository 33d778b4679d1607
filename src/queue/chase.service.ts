// What the chasing jobs do. Every handler reloads its row under a lock, re-checks that the work is
// still due (status, next_chase_at ≤ now) and returns early otherwise, so a job delivered twice —
// retried, stalled, or run by two workers — sends one chase and writes one event. The next step is
// written to the outbox in the same transaction.
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  ApprovalsService,
  landlordEmail,
  type ApprovalRow,
} from '../approvals/approvals.service.js';
import { CASE_SELECT, type CaseRow } from '../cases/case-row.js';
import { CaseTransitions, type Actor } from '../cases/case-transitions.service.js';
import { CasesService } from '../cases/cases.service.js';
import { WorkService } from '../cases/work.service.js';
import { Clock } from '../common/clock.js';
import { failpoint } from '../common/failpoint.js';
import { workingDaysDeadline } from '../common/working-days.js';
import { NotificationsService } from '../notifications/notifications.service.js';

const SYSTEM = (schemeId: string): Actor => ({ id: null, schemeId, role: 'system' });
const REVIEW_OVERDUE_DAYS = 7;

export type ChaseOutcome = 'chased' | 'escalated' | 'reminded' | 'not_due';

@Injectable()
export class ChaseService {
  private readonly logger = new Logger(ChaseService.name);

  constructor(
    private readonly clock: Clock,
    private readonly engine: CaseTransitions,
    private readonly cases: CasesService,
    private readonly approvals: ApprovalsService,
    private readonly work: WorkService,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Locks the case that `caseIdSql` (a query giving one case_id) points at and returns it, in one
   * statement: the lock order everywhere is the case first, then its approval/job/review row.
   */
  private async lockCaseOf(
    m: EntityManager,
    caseIdSql: string,
    params: unknown[],
  ): Promise<CaseRow | undefined> {
    const [row]: CaseRow[] = await m.query(
      `SELECT ${CASE_SELECT} FROM cases c WHERE c.id = (${caseIdSql}) FOR UPDATE`,
      params,
    );
    return row;
  }

  async chaseApproval(approvalId: string): Promise<ChaseOutcome> {
    failpoint('chase.before_tx');
    const outcome = await this.chaseApprovalTx(approvalId);
    failpoint('chase.after_commit');
    return outcome;
  }

  private async chaseApprovalTx(approvalId: string): Promise<ChaseOutcome> {
    return this.engine.tx(async (m) => {
      const row = await this.lockCaseOf(m, `SELECT case_id FROM approvals WHERE id = $1`, [
        approvalId,
      ]);
      const [a]: ApprovalRow[] = await m.query(
        `SELECT a.*, c.reference AS case_reference FROM approvals a JOIN cases c ON c.id = a.case_id WHERE a.id = $1 FOR UPDATE OF a`,
        [approvalId],
      );
      const now = this.clock.now();
      if (!row || !a || a.status !== 'pending' || !a.next_chase_at || a.next_chase_at > now)
        return 'not_due';
      const settings = await this.work.settings(m, a.scheme_id);
      const idva = await this.notifications.user(m, row.assignedTo ?? row.createdBy);
      const managers = await this.notifications.managers(m, a.scheme_id);
      if (a.chase_count >= settings.maxChases) {
        await m.query(
          `UPDATE approvals SET escalated_at = $2, next_chase_at = NULL, version = version + 1 WHERE id = $1`,
          [a.id, now],
        );
        await m.query(`UPDATE cases SET overdue = true, updated_at = now() WHERE id = $1`, [
          a.case_id,
        ]);
        await this.notifications.staffAlert(m, {
          schemeId: a.scheme_id,
          users: managers,
          kind: a.kind === 'cost' ? 'cost_escalated' : 'consent_escalated',
          caseId: a.case_id,
          approvalId: a.id,
          dedupeKey: `approval-escalated:${a.id}`,
          subject: `Sanctuary ${row.reference}: ${a.kind === 'cost' ? 'cost approval' : 'landlord consent'} overdue after ${a.chase_count} chases`,
          body: `The ${a.kind.replace('_', ' ')} request for case ${row.reference} is still unanswered after ${a.chase_count} chases and needs a scheme manager. Sign in to Sanctuary to act on it.`,
        });
        await this.engine.event(m, SYSTEM(a.scheme_id), row, {
          type: 'approval_escalated',
          at: now,
          data: { approvalId: a.id, kind: a.kind, chaseCount: a.chase_count },
        });
        return 'escalated';
      }
      const n = a.chase_count + 1;
      const next = workingDaysDeadline(now, settings.chaseEveryWorkingDays);
      await m.query(
        `UPDATE approvals SET chase_count = $2, last_chased_at = $3, next_chase_at = $4, version = version + 1 WHERE id = $1`,
        [a.id, n, now, next],
      );
      if (a.kind === 'landlord_consent') {
        const token = this.approvals.tokenOf(a);
        const [landlord] = await m.query(`SELECT email FROM landlords WHERE id = $1`, [
          row.landlordId,
        ]);
        if (landlord && token) {
          const p = this.cases.personal(row);
          await this.notifications.email(m, {
            schemeId: a.scheme_id,
            kind: 'consent_chase',
            caseId: a.case_id,
            to: landlord.email,
            subject: `Reminder: consent requested for security works (${row.reference})`,
            body: landlordEmail(
              p,
              row.measures ?? [],
              a.due_at,
              this.approvals.consentUrl(token),
              true,
            ),
            dedupeKey: `consent-chase:${a.id}:${n}`,
          });
        }
        if (idva)
          await this.notifications.tasks(m, {
            schemeId: a.scheme_id,
            userIds: [idva.id],
            kind: 'consent_chased',
            caseId: a.case_id,
            approvalId: a.id,
            dueAt: next,
            dedupeKey: `consent-chase:${a.id}:${n}`,
          });
      } else if (a.kind === 'cost') {
        await this.notifications.staffAlert(m, {
          schemeId: a.scheme_id,
          users: managers,
          kind: 'cost_chased',
          caseId: a.case_id,
          approvalId: a.id,
          dueAt: next,
          dedupeKey: `cost-chase:${a.id}:${n}`,
          subject: `Sanctuary ${row.reference}: cost approval waiting`,
          body: `A cost approval for case ${row.reference} is past its due date (chase ${n}). Sign in to Sanctuary to decide it.`,
        });
      } else if (idva) {
        await this.notifications.tasks(m, {
          schemeId: a.scheme_id,
          userIds: [idva.id],
          kind: 'survey_outstanding',
          caseId: a.case_id,
          approvalId: a.id,
          dueAt: next,
          dedupeKey: `survey-chase:${a.id}:${n}`,
        });
      }
      await this.engine.event(m, SYSTEM(a.scheme_id), row, {
        type: 'approval_chased',
        at: now,
        data: { approvalId: a.id, kind: a.kind, chaseNo: n },
      });
      await this.work.scheduleApprovalChase(m, a.id, n + 1, next);
      return 'chased';
    });
  }

  async chaseJob(jobId: string): Promise<ChaseOutcome> {
    return this.engine.tx(async (m) => {
      const row = await this.lockCaseOf(m, `SELECT case_id FROM jobs WHERE id = $1`, [jobId]);
      const [j] = await m.query(`SELECT * FROM jobs WHERE id = $1 FOR UPDATE`, [jobId]);
      const now = this.clock.now();
      if (
        !row ||
        !j ||
        !['offered', 'accepted'].includes(j.status) ||
        !j.next_chase_at ||
        j.next_chase_at > now
      )
        return 'not_due';
      const settings = await this.work.settings(m, j.scheme_id);
      const managers = await this.notifications.managers(m, j.scheme_id);
      const phase = j.status === 'offered' ? 'confirm' : 'outcome';
      if (j.chase_count >= settings.maxChases) {
        await m.query(
          `UPDATE jobs SET escalated_at = $2, next_chase_at = NULL, version = version + 1 WHERE id = $1`,
          [j.id, now],
        );
        await m.query(`UPDATE cases SET overdue = true, updated_at = now() WHERE id = $1`, [
          j.case_id,
        ]);
        await this.notifications.staffAlert(m, {
          schemeId: j.scheme_id,
          users: managers,
          kind: 'job_escalated',
          caseId: j.case_id,
          jobId: j.id,
          dedupeKey: `job-escalated:${j.id}:${phase}`,
          subject: `Sanctuary ${row.reference}: installation job ${phase === 'confirm' ? 'not accepted' : 'has no outcome'} after ${j.chase_count} chases`,
          body: `The installation job for case ${row.reference} needs a scheme manager: the contractor has not ${phase === 'confirm' ? 'accepted it' : 'reported an outcome'}. Sign in to Sanctuary.`,
        });
        await this.engine.event(m, SYSTEM(j.scheme_id), row, {
          type: 'job_escalated',
          at: now,
          data: { jobId: j.id, phase, chaseCount: j.chase_count },
        });
        return 'escalated';
      }
      const n = j.chase_count + 1;
      const hours =
        j.priority === 'emergency'
          ? settings.jobConfirmHours.emergency
          : settings.jobConfirmHours.standard;
      const next =
        phase === 'confirm'
          ? new Date(now.getTime() + hours * 3_600_000)
          : workingDaysDeadline(now, 1);
      await m.query(
        `UPDATE jobs SET chase_count = $2, last_chased_at = $3, next_chase_at = $4, version = version + 1 WHERE id = $1`,
        [j.id, n, now, next],
      );
      const [contractor] = await m.query(`SELECT email FROM contractors WHERE id = $1`, [
        j.contractor_id,
      ]);
      if (contractor) {
        await this.notifications.email(m, {
          schemeId: j.scheme_id,
          kind: 'job_chase',
          caseId: j.case_id,
          to: contractor.email,
          subject: `Sanctuary job ${row.reference}: ${phase === 'confirm' ? 'please accept or decline' : 'please report the outcome'}`,
          body: `${phase === 'confirm' ? `Installation job ${row.reference} is waiting for you to accept or decline it.` : `Installation job ${row.reference} was scheduled and has no outcome yet.`} Sign in to Sanctuary to respond.`,
          dedupeKey: `job-chase:${j.id}:${phase}:${n}`,
        });
      }
      const installers = await m.query(`SELECT id FROM users WHERE contractor_id = $1 AND active`, [
        j.contractor_id,
      ]);
      await this.notifications.tasks(m, {
        schemeId: j.scheme_id,
        userIds:
          phase === 'confirm'
            ? managers.map((u) => u.id).concat(installers.map((u: { id: string }) => u.id))
            : installers.map((u: { id: string }) => u.id),
        kind: phase === 'confirm' ? 'job_chased' : 'job_outcome_chased',
        caseId: phase === 'confirm' ? j.case_id : null,
        jobId: j.id,
        dueAt: next,
        dedupeKey: `job-chase:${j.id}:${phase}:${n}`,
      });
      await this.engine.event(m, SYSTEM(j.scheme_id), row, {
        type: 'job_chased',
        at: now,
        data: { jobId: j.id, phase, chaseNo: n },
      });
      await this.work.scheduleJobChase(m, j.id, `${phase}-${n + 1}`, next);
      return 'chased';
    });
  }

  async reviewDue(caseId: string, offsetDays: number): Promise<ChaseOutcome> {
    return this.engine.tx(async (m) => {
      const row = await this.lockCaseOf(m, `SELECT $1::uuid`, [caseId]);
      const [r] = await m.query(
        `SELECT * FROM review_schedules WHERE case_id = $1 AND offset_days = $2 FOR UPDATE`,
        [caseId, offsetDays],
      );
      const now = this.clock.now();
      if (!row || !r || r.done_at || !r.next_action_at || r.next_action_at > now) return 'not_due';
      if (row.status !== 'in_support') {
        await m.query(
          `UPDATE review_schedules SET next_action_at = NULL WHERE case_id = $1 AND offset_days = $2`,
          [caseId, offsetDays],
        );
        return 'not_due';
      }
      const idva = await this.notifications.user(m, row.assignedTo ?? row.createdBy);
      if (!r.reminded_at) {
        const overdueAt = new Date(r.due_at.getTime() + REVIEW_OVERDUE_DAYS * 86_400_000);
        await m.query(
          `UPDATE review_schedules SET reminded_at = $3, next_action_at = $4 WHERE case_id = $1 AND offset_days = $2`,
          [caseId, offsetDays, now, overdueAt],
        );
        if (idva)
          await this.notifications.tasks(m, {
            schemeId: r.scheme_id,
            userIds: [idva.id],
            kind: 'review_due',
            caseId,
            dueAt: r.due_at,
            dedupeKey: `review-due:${caseId}:${offsetDays}`,
          });
        await this.engine.event(m, SYSTEM(r.scheme_id), row, {
          type: 'review_due',
          at: now,
          data: { offsetDays },
        });
        await this.work.scheduleReview(m, caseId, offsetDays, 'overdue', overdueAt);
        return 'reminded';
      }
      await m.query(
        `UPDATE review_schedules SET chased_at = $3, next_action_at = NULL WHERE case_id = $1 AND offset_days = $2`,
        [caseId, offsetDays, now],
      );
      if (idva)
        await this.notifications.tasks(m, {
          schemeId: r.scheme_id,
          userIds: [idva.id],
          kind: 'review_overdue',
          caseId,
          dueAt: r.due_at,
          dedupeKey: `review-overdue:${caseId}:${offsetDays}`,
        });
      await this.engine.event(m, SYSTEM(r.scheme_id), row, {
        type: 'review_overdue',
        at: now,
        data: { offsetDays },
      });
      return 'chased';
    });
  }
}
