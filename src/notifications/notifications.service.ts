// Alerts for staff (tasks) and emails (an outbox of notifications sent by a worker over SMTP).
// Both are written in the caller's transaction with a dedupe key, so the same alert is never
// raised twice however often a job runs.
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { FieldCrypto, encContext } from '../common/crypto/field-crypto.js';
import { OutboxService } from '../queue/outbox.service.js';
import { JOBS, QUEUES, jobIds } from '../queue/queue.constants.js';

export const TASK_KINDS = [
  'consent_chased',
  'consent_escalated',
  'cost_approval_needed',
  'cost_chased',
  'cost_escalated',
  'cost_refused',
  'job_chased',
  'job_escalated',
  'job_outcome_chased',
  'job_declined',
  'job_failed',
  'landlord_refusal',
  'review_due',
  'review_overdue',
  'break_glass',
  'survey_outstanding',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export interface TaskInput {
  schemeId: string;
  userIds: string[];
  kind: TaskKind;
  dedupeKey: string;
  caseId?: string | null;
  approvalId?: string | null;
  jobId?: string | null;
  dueAt?: Date | null;
}

export interface EmailInput {
  schemeId: string;
  kind: string;
  caseId?: string | null;
  to: string;
  subject: string;
  body: string;
  dedupeKey: string;
}

@Injectable()
export class NotificationsService {
  constructor(
    private readonly crypto: FieldCrypto,
    private readonly outbox: OutboxService,
  ) {}

  /** Tasks for each user of `t` (deduplicated); returns how many were new. */
  tasks(m: EntityManager, t: TaskInput): Promise<number> {
    return this.tasksMany(m, [t]);
  }

  /** Queues an email; returns false when one with the same dedupe key exists already. */
  async email(m: EntityManager, e: EmailInput): Promise<boolean> {
    return (await this.emailMany(m, [e])) > 0;
  }

  /** Tasks for many alerts in one statement (batched chasing); returns how many were new. */
  async tasksMany(m: EntityManager, list: TaskInput[]): Promise<number> {
    const rows = list.flatMap((t) => [...new Set(t.userIds)].map((userId) => ({ t, userId })));
    if (!rows.length) return 0;
    const created = await m.query(
      `INSERT INTO tasks (scheme_id, user_id, kind, case_id, approval_id, job_id, due_at, dedupe_key)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::uuid[], $7::timestamptz[], $8::text[])
       ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING id`,
      [
        rows.map((r) => r.t.schemeId),
        rows.map((r) => r.userId),
        rows.map((r) => r.t.kind),
        rows.map((r) => r.t.caseId ?? null),
        rows.map((r) => r.t.approvalId ?? null),
        rows.map((r) => r.t.jobId ?? null),
        rows.map((r) => r.t.dueAt ?? null),
        rows.map((r) => r.t.dedupeKey),
      ],
    );
    return created.length;
  }

  /**
   * Queues many emails: one statement for the notifications and one for their outbox rows. The id
   * is made here (not asked of PostgreSQL): the ciphertexts are bound to it. Returns how many were
   * new (a dedupe key already stored is skipped).
   */
  async emailMany(m: EntityManager, list: EmailInput[]): Promise<number> {
    if (!list.length) return 0;
    const ids = list.map(() => randomUUID());
    const created: { id: string }[] = await m.query(
      `INSERT INTO notifications (id, scheme_id, kind, case_id, recipient_enc, subject, body_enc, dedupe_key)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[])
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [
        ids,
        list.map((e) => e.schemeId),
        list.map((e) => e.kind),
        list.map((e) => e.caseId ?? null),
        list.map((e, i) =>
          this.crypto.encrypt(e.to, encContext('notifications', ids[i], 'recipient')),
        ),
        list.map((e) => e.subject),
        list.map((e, i) =>
          this.crypto.encrypt(e.body, encContext('notifications', ids[i], 'body')),
        ),
        list.map((e) => e.dedupeKey),
      ],
    );
    await this.outbox.addMany(
      m,
      created.map(({ id }) => ({
        queue: QUEUES.notifications,
        name: JOBS.emailSend,
        jobId: jobIds.emailSend(id),
        payload: { notificationId: id },
      })),
    );
    return created.length;
  }

  /** Scheme managers of a scheme (the escalation and refusal audience). */
  async managers(m: EntityManager, schemeId: string): Promise<{ id: string; email: string }[]> {
    return m.query(
      `SELECT id, email FROM users WHERE scheme_id = $1 AND role = 'scheme_manager' AND active ORDER BY created_at`,
      [schemeId],
    );
  }

  async user(m: EntityManager, id: string | null): Promise<{ id: string; email: string } | null> {
    if (!id) return null;
    const rows = await m.query(`SELECT id, email FROM users WHERE id = $1 AND active`, [id]);
    return rows[0] ?? null;
  }

  /** Staff emails never carry case details: a reference and a prompt to sign in. */
  async staffAlert(m: EntityManager, input: StaffAlertInput): Promise<void> {
    const alert = staffAlertWrites(input);
    await this.tasks(m, alert.task);
    await this.emailMany(m, alert.emails);
  }
}

export type StaffAlertInput = Omit<TaskInput, 'userIds'> & {
  users: { id: string; email: string }[];
  subject: string;
  body: string;
};

/** What a staff alert writes: one task per user, and one email per user with its own dedupe key. */
export function staffAlertWrites(input: StaffAlertInput): {
  task: TaskInput;
  emails: EmailInput[];
} {
  return {
    task: { ...input, userIds: input.users.map((u) => u.id) },
    emails: input.users.map((u) => ({
      schemeId: input.schemeId,
      kind: input.kind,
      caseId: input.caseId,
      to: u.email,
      subject: input.subject,
      body: input.body,
      dedupeKey: `${input.dedupeKey}:${u.id}`,
    })),
  };
}
