// Thin BullMQ processors: each calls one service method. Workers finish the job in hand on shutdown
// (WorkerHost closes the worker gracefully).
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnModuleInit } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AppConfig } from '../config/app-config.js';
import { LengthOfStayService } from '../length-of-stay/length-of-stay.service.js';
import { MailerService } from '../notifications/mailer.service.js';
import { ChaseService } from './chase.service.js';
import {
  JOBS,
  QUEUES,
  type ApprovalChaseBatchPayload,
  type ApprovalChasePayload,
  type EmailSendPayload,
  type JobChasePayload,
  type ReviewDuePayload,
} from './queue.constants.js';
import { Reconciler } from './reconciler.service.js';

/**
 * How long a worker holds a job's lock, and how often stalled jobs (of a worker that died) are
 * looked for. BullMQ's defaults (30 s) suit production; the fault tests shorten them.
 */
const lockDuration = Number(process.env.WORKER_LOCK_MS ?? 30_000);
const WORKER_OPTIONS = { lockDuration, stalledInterval: lockDuration, maxStalledCount: 5 };

abstract class LoggedWorker extends WorkerHost implements OnModuleInit {
  protected abstract readonly logger: Logger;
  constructor(protected readonly config: AppConfig) {
    super();
  }

  onModuleInit(): void {
    this.worker.concurrency = this.config.env.WORKER_CONCURRENCY;
  }

  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.logger.warn({ err: err?.name }, 'worker error');
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    // Ids and names only: never the payload's or the error's text.
    this.logger.warn(
      { jobId: job?.id, name: job?.name, attempts: job?.attemptsMade, err: err?.name },
      'job failed',
    );
  }
}

@Processor(QUEUES.chasing, WORKER_OPTIONS)
export class ChasingProcessor extends LoggedWorker {
  protected readonly logger = new Logger(ChasingProcessor.name);
  constructor(
    config: AppConfig,
    private readonly chase: ChaseService,
  ) {
    super(config);
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JOBS.approvalChase:
        return this.chase.chaseApproval((job.data as ApprovalChasePayload).approvalId);
      case JOBS.approvalChaseBatch:
        return this.chase.chaseApprovals((job.data as ApprovalChaseBatchPayload).approvalIds);
      case JOBS.jobChase:
        return this.chase.chaseJob((job.data as JobChasePayload).jobId);
      case JOBS.reviewDue: {
        const d = job.data as ReviewDuePayload;
        return this.chase.reviewDue(d.caseId, d.offsetDays);
      }
      default:
        throw new Error(`unknown job ${job.name}`);
    }
  }
}

@Processor(QUEUES.notifications, WORKER_OPTIONS)
export class NotificationsProcessor extends LoggedWorker {
  protected readonly logger = new Logger(NotificationsProcessor.name);
  constructor(
    config: AppConfig,
    private readonly mailer: MailerService,
  ) {
    super(config);
  }

  async process(job: Job): Promise<string> {
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await this.mailer.send((job.data as EmailSendPayload).notificationId, final);
    if (outcome === 'retry') throw new Error('smtp send failed; retrying');
    return outcome;
  }
}

@Processor(QUEUES.maintenance, WORKER_OPTIONS)
export class MaintenanceProcessor extends LoggedWorker {
  protected readonly logger = new Logger(MaintenanceProcessor.name);
  constructor(
    config: AppConfig,
    private readonly reconciler: Reconciler,
    private readonly lengthOfStay: LengthOfStayService,
  ) {
    super(config);
  }

  async process(job: Job): Promise<unknown> {
    if (job.name === JOBS.reconcile) return this.reconciler.run();
    if (job.name === JOBS.lengthOfStay) return { measured: await this.lengthOfStay.measure() };
    throw new Error(`unknown job ${job.name}`);
  }
}
