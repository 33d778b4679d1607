// Queue and job names, and deterministic job ids from natural keys, so the same work is never
// queued twice. BullMQ job ids may not contain ':' (its key separator), so ids use '.'.
import { createHash } from 'node:crypto';

export const QUEUES = {
  chasing: 'chasing',
  notifications: 'notifications',
  maintenance: 'maintenance',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOBS = {
  approvalChase: 'approval.chase',
  approvalChaseBatch: 'approval.chase-batch',
  jobChase: 'job.chase',
  reviewDue: 'review.due',
  emailSend: 'email.send',
  reconcile: 'reconcile',
  lengthOfStay: 'length-of-stay.measure',
  outboxRelay: 'outbox.relay',
} as const;

/** Payloads carry ids only — never personal data. */
export interface ApprovalChasePayload {
  approvalId: string;
}
/** A batch of due approvals queued by the reconciler (ids only). */
export interface ApprovalChaseBatchPayload {
  approvalIds: string[];
}
export interface JobChasePayload {
  jobId: string;
}
export interface ReviewDuePayload {
  caseId: string;
  offsetDays: number;
}
export interface EmailSendPayload {
  notificationId: string;
}

export const jobIds = {
  approvalChase: (approvalId: string, step: number) => `approval-chase.${approvalId}.${step}`,
  /** A batch is named by what it chases: the same approvals at the same steps give the same id. */
  approvalChaseBatch: (steps: { id: string; step: number }[]) =>
    `approval-chase-batch.${createHash('sha256')
      .update(steps.map((s) => `${s.id}.${s.step}`).join(','))
      .digest('hex')
      .slice(0, 32)}`,
  jobChase: (jobId: string, step: string) => `job-chase.${jobId}.${step}`,
  reviewDue: (caseId: string, offsetDays: number, step: string) =>
    `review.${caseId}.${offsetDays}.${step}`,
  emailSend: (notificationId: string) => `email.${notificationId}`,
};
