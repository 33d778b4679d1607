// Queues on BullMQ (through @nestjs/bullmq). Every process can see queue state; only processes
// with workers (APP_ROLE all|worker) relay the outbox, run the processors and keep the schedulers.
import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { WorkflowModule } from '../cases/workflow.module.js';
import { LengthOfStayController } from '../length-of-stay/length-of-stay.controller.js';
import { LengthOfStayService } from '../length-of-stay/length-of-stay.service.js';
import { MailerService } from '../notifications/mailer.service.js';
import { bullConnection } from './bull-connection.js';
import { ChaseService } from './chase.service.js';
import { OpsController } from './ops.controller.js';
import { OutboxRelay } from './outbox-relay.service.js';
import { ChasingProcessor, MaintenanceProcessor, NotificationsProcessor } from './processors.js';
import { QUEUES } from './queue.constants.js';
import { Reconciler } from './reconciler.service.js';

const WORKERS = Symbol('WORKERS');

@Injectable()
class SchedulerBootstrap implements OnApplicationBootstrap {
  constructor(
    private readonly reconciler: Reconciler,
    @Inject(WORKERS) private readonly workers: boolean,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Rebuild anything Redis lost while we were down, and (re)create the schedulers.
    if (this.workers) await this.reconciler.run();
  }
}

@Module({})
export class QueueModule {
  static forRoot(opts: { redisUrl: string; prefix: string; workers: boolean }): DynamicModule {
    const workerProviders = opts.workers
      ? [OutboxRelay, ChasingProcessor, NotificationsProcessor, MaintenanceProcessor]
      : [];
    return {
      module: QueueModule,
      imports: [
        BullModule.forRoot({
          connection: bullConnection(opts.redisUrl),
          prefix: `${opts.prefix}:bull`,
        }),
        BullModule.registerQueue(
          { name: QUEUES.chasing },
          { name: QUEUES.notifications },
          { name: QUEUES.maintenance },
        ),
        WorkflowModule,
      ],
      controllers: [OpsController, LengthOfStayController],
      providers: [
        { provide: WORKERS, useValue: opts.workers },
        ChaseService,
        Reconciler,
        MailerService,
        LengthOfStayService,
        SchedulerBootstrap,
        ...workerProviders,
      ],
      exports: [
        ChaseService,
        Reconciler,
        LengthOfStayService,
        MailerService,
        ...(opts.workers ? [OutboxRelay] : []),
      ],
    };
  }
}
