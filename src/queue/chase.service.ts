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
import { WorkService, approvalChaseMessage } from '../cases/work.service.js';
import { Clock } from '../common/clock.js';
import { failpoint } from '../common/failpoint.js';
import { workingDaysDeadline } from '../common/working-days.js';
import {
  NotificationsService,
  staffAlertWrites,
  type EmailInput,
  type StaffAlertInput,
  type TaskInput,
} from '../notifications/notifications.service.js';
import { DEFAULT_SETTINGS, type SchemeSettings, withDefaults } from '../schemes/scheme.entity.js';
import { OutboxService, type OutboxMessage } from './outbox.service.js';

const SYSTEM = (schemeId: string): Actor => ({ id: null, schemeId, role: 'system' });
const REVIEW_OVERDUE_DAYS = 7;

export type ChaseOutcome = 'chased' | 'escalated' | 'reminded' | 'not_due';

/** What a batch of approval chases did. */
export interface ChaseCounts {
  chased: number;
  escalated: number;
  notDue: number;
}

interface Contact {
  id: string;
  email: string;
}

/** The rows a batch of chases will write, collected so that each kind is written in one statement. */
class ChaseWrites {
  readonly chased: { id: string; n: number; next: Date }[] = [];
  readonly escalated: string[] = [];
  readonly overdueCases: string[] = [];
  readonly tasks: TaskInput[] = [];
  readonly emails: EmailInput[] = [];
  readonly events: Parameters<CaseTransitions['events']>[1] = [];
  readonly outbox: OutboxMessage[] = [];

  staffAlert(input: StaffAlertInput): void {
    const alert = staffAlertWrites(input);
    this.tasks.push(alert.task);
    this.emails.push(...alert.emails);
  }
}

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
    private readonly outbox: OutboxService,
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

  /** One approval's chase (its own delayed job): the batch path with a batch of one. */
  async chaseApproval(approvalId: string): Promise<ChaseOutcome> {
    const r = await this.chaseApprovals([approvalId]);
    return r.chased ? 'chased' : r.escalated ? 'escalated' : 'not_due';
  }

  /**
   * Chases every approval of `ids` that is still due, in one transaction whose writes are
   * set-based: about a dozen statements for a batch of 100 instead of a dozen for each chase. The
   * cases, then the approvals, are locked in id order (the order every other path locks them in),
   * and each approval is re-checked under its lock, so a batch overlapping another batch or an
   * approval's own job chases each approval once.
   */
  async chaseApprovals(ids: string[]): Promise<ChaseCounts> {
    const now = this.clock.now();
    // Outside the transaction, a cheap filter: a job whose chase already ran opens no transaction.
    const candidates: { id: string }[] = await this.engine.manager.query(
      `SELECT id FROM approvals WHERE id = ANY($1::uuid[]) AND status = 'pending' AND next_chase_at <= $2`,
      [ids, now],
    );
    if (!candidates.length) return { chased: 0, escalated: 0, notDue: ids.length };
    failpoint('chase.before_tx');
    const due = candidates.map((c) => c.id);
    let counts: Omit<ChaseCounts, 'notDue'>;
    try {
      counts = await this.engine.tx((m) => this.chaseApprovalsTx(m, due));
    } catch (err) {
      if (due.length === 1) throw err;
      counts = await this.oneByOne(due);
    }
    failpoint('chase.after_commit');
    return { ...counts, notDue: ids.length - counts.chased - counts.escalated };
  }

  /**
   * A batch that failed is retried one approval per transaction, so one bad row (a ciphertext
   * that no longer decrypts, say) cannot hold back the other 99 chases; the job still fails (and
   * is retried, then kept as failed for an operator) if any of them did. Ids only in the log.
   */
  private async oneByOne(ids: string[]): Promise<Omit<ChaseCounts, 'notDue'>> {
    const counts = { chased: 0, escalated: 0 };
    const failed: string[] = [];
    let first: unknown = null;
    for (const id of ids) {
      try {
        const r = await this.engine.tx((m) => this.chaseApprovalsTx(m, [id]));
        counts.chased += r.chased;
        counts.escalated += r.escalated;
      } catch (err) {
        failed.push(id);
        first ??= err;
      }
    }
    if (failed.length) {
      this.logger.warn(
        { approvalIds: failed, err: (first as Error)?.name },
        'approval chases failed; the others in the batch were done',
      );
      throw first;
    }
    return counts;
  }

  private async chaseApprovalsTx(
    m: EntityManager,
    ids: string[],
  ): Promise<Omit<ChaseCounts, 'notDue'>> {
    const cases: CaseRow[] = await m.query(
      `SELECT ${CASE_SELECT} FROM cases c
       WHERE c.id IN (SELECT case_id FROM approvals WHERE id = ANY($1::uuid[]))
       ORDER BY c.id FOR UPDATE`,
      [ids],
    );
    const locked: ApprovalRow[] = await m.query(
      `SELECT a.*, c.reference AS case_reference FROM approvals a JOIN cases c ON c.id = a.case_id
       WHERE a.id = ANY($1::uuid[]) ORDER BY a.id FOR UPDATE OF a`,
      [ids],
    );
    const now = this.clock.now();
    const caseOf = new Map(cases.map((c) => [c.id, c]));
    const due = locked.filter(
      (a) =>
        caseOf.has(a.case_id) &&
        a.status === 'pending' &&
        a.next_chase_at !== null &&
        a.next_chase_at <= now,
    );
    if (!due.length) return { chased: 0, escalated: 0 };
    const ctx = await this.context(
      m,
      due.map((a) => a.scheme_id),
      due.map((a) => {
        const row = caseOf.get(a.case_id)!;
        return row.assignedTo ?? row.createdBy;
      }),
      due.map((a) => caseOf.get(a.case_id)!.landlordId),
    );
    const w = new ChaseWrites();
    for (const a of due) {
      const row = caseOf.get(a.case_id)!;
      const settings = ctx.settings(a.scheme_id);
      const idva = ctx.user(row.assignedTo ?? row.createdBy);
      const managers = ctx.managers(a.scheme_id);
      if (a.chase_count >= settings.maxChases) {
        w.escalated.push(a.id);
        w.overdueCases.push(a.case_id);
        w.staffAlert({
          schemeId: a.scheme_id,
          users: managers,
          kind: a.kind === 'cost' ? 'cost_escalated' : 'consent_escalated',
          caseId: a.case_id,
          approvalId: a.id,
          dedupeKey: `approval-escalated:${a.id}`,
          subject: `Sanctuary ${row.reference}: ${a.kind === 'cost' ? 'cost approval' : 'landlord consent'} overdue after ${a.chase_count} chases`,
          body: `The ${a.kind.replace('_', ' ')} request for case ${row.reference} is still unanswered after ${a.chase_count} chases and needs a scheme manager. Sign in to Sanctuary to act on it.`,
        });
        w.events.push({
          actor: SYSTEM(a.scheme_id),
          row,
          type: 'approval_escalated',
          at: now,
          data: { approvalId: a.id, kind: a.kind, chaseCount: a.chase_count },
        });
        continue;
      }
      const n = a.chase_count + 1;
      const next = workingDaysDeadline(now, settings.chaseEveryWorkingDays);
      w.chased.push({ id: a.id, n, next });
      if (a.kind === 'landlord_consent') {
        const token = this.approvals.tokenOf(a);
        const landlord = row.landlordId ? ctx.landlord(row.landlordId) : undefined;
        if (landlord && token) {
          w.emails.push({
            schemeId: a.scheme_id,
            kind: 'consent_chase',
            caseId: a.case_id,
            to: landlord.email,
            subject: `Reminder: consent requested for security works (${row.reference})`,
            body: landlordEmail(
              this.cases.personal(row),
              row.measures ?? [],
              a.due_at,
              this.approvals.consentUrl(token),
              true,
            ),
            dedupeKey: `consent-chase:${a.id}:${n}`,
          });
        }
        if (idva)
          w.tasks.push({
            schemeId: a.scheme_id,
            userIds: [idva.id],
            kind: 'consent_chased',
            caseId: a.case_id,
            approvalId: a.id,
            dueAt: next,
            dedupeKey: `consent-chase:${a.id}:${n}`,
          });
      } else if (a.kind === 'cost') {
        w.staffAlert({
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
        w.tasks.push({
          schemeId: a.scheme_id,
          userIds: [idva.id],
          kind: 'survey_outstanding',
          caseId: a.case_id,
          approvalId: a.id,
          dueAt: next,
          dedupeKey: `survey-chase:${a.id}:${n}`,
        });
      }
      w.events.push({
        actor: SYSTEM(a.scheme_id),
        row,
        type: 'approval_chased',
        at: now,
        data: { approvalId: a.id, kind: a.kind, chaseNo: n },
      });
      w.outbox.push(approvalChaseMessage(a.id, n + 1, next));
    }
    await this.flush(m, w, now);
    return { chased: w.chased.length, escalated: w.escalated.length };
  }

  /** Scheme settings, IDVAs, managers and landlords for a batch, in one round trip. */
  private async context(
    m: EntityManager,
    schemeIds: string[],
    userIds: (string | null)[],
    landlordIds: (string | null)[],
  ) {
    const uniq = <T>(xs: (T | null)[]) => [...new Set(xs.filter((x): x is T => x !== null))];
    const [r]: {
      schemes: { id: string; settings: Partial<SchemeSettings> | null }[];
      users: Contact[];
      managers: (Contact & { schemeId: string })[];
      landlords: Contact[];
    }[] = await m.query(
      `SELECT
         (SELECT coalesce(json_agg(json_build_object('id', s.id, 'settings', s.settings)), '[]')
            FROM schemes s WHERE s.id = ANY($1::uuid[])) AS schemes,
         (SELECT coalesce(json_agg(json_build_object('id', u.id, 'email', u.email)), '[]')
            FROM users u WHERE u.id = ANY($2::uuid[]) AND u.active) AS users,
         (SELECT coalesce(json_agg(json_build_object('id', u.id, 'email', u.email, 'schemeId', u.scheme_id) ORDER BY u.created_at), '[]')
            FROM users u WHERE u.scheme_id = ANY($1::uuid[]) AND u.role = 'scheme_manager' AND u.active) AS managers,
         (SELECT coalesce(json_agg(json_build_object('id', l.id, 'email', l.email)), '[]')
            FROM landlords l WHERE l.id = ANY($3::uuid[])) AS landlords`,
      [uniq(schemeIds), uniq(userIds), uniq(landlordIds)],
    );
    const settings = new Map(r.schemes.map((s) => [s.id, withDefaults(s.settings)]));
    const users = new Map(r.users.map((u) => [u.id, u]));
    const landlords = new Map(r.landlords.map((l) => [l.id, l]));
    return {
      settings: (schemeId: string): SchemeSettings => settings.get(schemeId) ?? DEFAULT_SETTINGS,
      user: (id: string | null) => (id ? (users.get(id) ?? null) : null),
      managers: (schemeId: string): Contact[] =>
        r.managers.filter((x) => x.schemeId === schemeId).map(({ id, email }) => ({ id, email })),
      landlord: (id: string) => landlords.get(id),
    };
  }

  /** Writes a batch's collected changes: one statement per kind of row. */
  private async flush(m: EntityManager, w: ChaseWrites, now: Date): Promise<void> {
    if (w.chased.length)
      await m.query(
        `UPDATE approvals a SET chase_count = u.n, last_chased_at = $4, next_chase_at = u.next, version = a.version + 1
         FROM unnest($1::uuid[], $2::int[], $3::timestamptz[]) AS u(id, n, next) WHERE a.id = u.id`,
        [w.chased.map((c) => c.id), w.chased.map((c) => c.n), w.chased.map((c) => c.next), now],
      );
    if (w.escalated.length) {
      await m.query(
        `UPDATE approvals SET escalated_at = $2, next_chase_at = NULL, version = version + 1 WHERE id = ANY($1::uuid[])`,
        [w.escalated, now],
      );
      await m.query(
        `UPDATE cases SET overdue = true, updated_at = now() WHERE id = ANY($1::uuid[])`,
        [w.overdueCases],
      );
    }
    await this.notifications.tasksMany(m, w.tasks);
    await this.notifications.emailMany(m, w.emails);
    await this.engine.events(m, w.events);
    await this.outbox.addMany(m, w.outbox);
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
