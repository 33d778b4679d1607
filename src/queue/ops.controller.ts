// Queue depths and failures for scheme managers and admins, and an on-demand reconcile.
import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { ApiOperation, ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { CurrentUser, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblems } from '../common/api-problems.js';
import { QUEUES } from './queue.constants.js';
import { Reconciler, type ReconcileResult } from './reconciler.service.js';

export class QueueStats {
  @ApiProperty() name: string;
  @ApiProperty() waiting: number;
  @ApiProperty() active: number;
  @ApiProperty() delayed: number;
  @ApiProperty() failed: number;
  @ApiProperty() completed: number;
}

export class FailedJob {
  @ApiProperty() queue: string;
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() attemptsMade: number;
  @ApiProperty({ format: 'date-time' }) failedAt: string;
}

export class OpsResponse {
  @ApiProperty({ type: [QueueStats], description: 'the service-wide queues (counts only)' })
  queues: QueueStats[];
  @ApiProperty({ description: 'service-wide' }) outboxPending: number;
  @ApiProperty({ description: "the caller's scheme for a scheme manager; all for an admin" })
  emailsQueued: number;
  @ApiProperty({ description: "the caller's scheme for a scheme manager; all for an admin" })
  emailsFailed: number;
  @ApiProperty({ type: [FailedJob], description: 'admins only' }) failedJobs: FailedJob[];
}

export class ReconcileResponse {
  @ApiProperty() approvals: number;
  @ApiProperty() jobs: number;
  @ApiProperty() reviews: number;
}

@ApiTags('operations')
@ApiBearerAuth()
@Controller('ops')
export class OpsController {
  private readonly queues: Queue[];

  constructor(
    private readonly ds: DataSource,
    private readonly reconciler: Reconciler,
    @InjectQueue(QUEUES.chasing) chasing: Queue,
    @InjectQueue(QUEUES.notifications) notifications: Queue,
    @InjectQueue(QUEUES.maintenance) maintenance: Queue,
  ) {
    this.queues = [chasing, notifications, maintenance];
  }

  @Get('queues')
  @ApiOperation({ summary: 'Queue state and recent failures' })
  @Roles('admin', 'scheme_manager')
  @ApiOkResponse({ type: OpsResponse })
  @ApiProblems(401, 403, 503)
  async queuesState(@CurrentUser() me: Principal): Promise<OpsResponse> {
    const queues = await Promise.all(
      this.queues.map(async (q) => {
        const c = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
        return {
          name: q.name,
          waiting: c.waiting ?? 0,
          active: c.active ?? 0,
          delayed: c.delayed ?? 0,
          failed: c.failed ?? 0,
          completed: c.completed ?? 0,
        };
      }),
    );
    const [{ pending }] = await this.ds.query(
      `SELECT count(*)::int AS pending FROM outbox WHERE relayed_at IS NULL`,
    );
    // A scheme manager sees their own scheme's emails; queue depths are the service's (shared
    // queues, counts only, nothing about any case).
    const own = me.role === 'admin' ? null : me.schemeId;
    const [mail] = await this.ds.query(
      `SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued, count(*) FILTER (WHERE status = 'failed')::int AS failed
       FROM notifications WHERE $1::uuid IS NULL OR scheme_id = $1`,
      [own],
    );
    const failedJobs: FailedJob[] = [];
    if (me.role === 'admin') {
      for (const q of this.queues) {
        for (const j of await q.getFailed(0, 49)) {
          failedJobs.push({
            queue: q.name,
            id: String(j.id),
            name: j.name,
            attemptsMade: j.attemptsMade,
            failedAt: new Date(j.finishedOn ?? j.timestamp).toISOString(),
          });
        }
      }
    }
    return {
      queues,
      outboxPending: pending,
      emailsQueued: mail.queued,
      emailsFailed: mail.failed,
      failedJobs,
    };
  }

  @Post('reconcile')
  @ApiOperation({ summary: 'Re-queue overdue chasing now' })
  @HttpCode(200)
  @Roles('admin', 'scheme_manager')
  @ApiOkResponse({ type: ReconcileResponse })
  @ApiProblems(401, 403, 503)
  reconcile(): Promise<ReconcileResult> {
    return this.reconciler.run();
  }
}
