// Queue and job names, and deterministic job ids from natural keys, so the same work is never
// queued twice. BullMQ job ids may not contain ':' (its key separator), so ids use '.'.
export const QUEUES = {
  chasing: 'chasing',
  notifications: 'notifications',
  maintenance: 'maintenance',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const JOBS = {
  approvalChase: 'approval.chase',
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
  jobChase: (jobId: string, step: string) => `job-chase.${jobId}.${step}`,
  reviewDue: (caseId: string, offsetDays: number, step: string) =>
    `review.${caseId}.${offsetDays}.${step}`,
  emailSend: (notificationId: string) => `email.${notificationId}`,
};
