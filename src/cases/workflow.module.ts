// The case workflow: cases, approvals (with the landlord's consent link), installation jobs,
// reviews and tasks. One module because they share the one transition engine.
import { Module } from '@nestjs/common';
import { ApprovalsController, ConsentController } from '../approvals/approvals.controller.js';
import { ApprovalsService } from '../approvals/approvals.service.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { JobsController } from '../jobs/jobs.controller.js';
import { JobsService } from '../jobs/jobs.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { OutboxService } from '../queue/outbox.service.js';
import { TasksController, TasksService } from '../tasks/tasks.js';
import { CaseTransitions } from './case-transitions.service.js';
import { CasesController } from './cases.controller.js';
import { CasesService } from './cases.service.js';
import { WorkService } from './work.service.js';

@Module({
  controllers: [
    CasesController,
    ApprovalsController,
    ConsentController,
    JobsController,
    TasksController,
  ],
  providers: [
    CaseTransitions,
    CasesService,
    ApprovalsService,
    JobsService,
    WorkService,
    NotificationsService,
    OutboxService,
    IdempotencyService,
    TasksService,
  ],
  exports: [
    CaseTransitions,
    CasesService,
    ApprovalsService,
    JobsService,
    WorkService,
    NotificationsService,
    OutboxService,
  ],
})
export class WorkflowModule {}
