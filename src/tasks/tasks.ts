// The caller's open alerts (chases, escalations, reviews due, refusals) and marking them done.
import { Controller, Get, HttpCode, Injectable, Param, Post, Query } from '@nestjs/common';
import {
  ApiOperation,
  ApiBearerAuth,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Authenticated, CurrentUser } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblems } from '../common/api-problems.js';
import { NotFoundError } from '../common/errors.js';
import { decodeCursor, PageQuery, toPage, type Page } from '../common/pagination.js';
import { UuidPipe } from '../common/validation.js';
import { Clock } from '../common/clock.js';
import { returning } from '../database/sql.js';
import { TASK_KINDS } from '../notifications/notifications.service.js';

export class TaskResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: TASK_KINDS }) kind: string;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String }) caseId: string | null;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String }) approvalId: string | null;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String }) jobId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) dueAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) doneAt: string | null;
}

export class TaskPage {
  @ApiProperty({ type: [TaskResponse] }) items: TaskResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

interface TaskRow {
  id: string;
  kind: string;
  case_id: string | null;
  approval_id: string | null;
  job_id: string | null;
  due_at: Date | null;
  created_at: Date;
  done_at: Date | null;
}

const toTask = (r: TaskRow): TaskResponse => ({
  id: r.id,
  kind: r.kind,
  caseId: r.case_id,
  approvalId: r.approval_id,
  jobId: r.job_id,
  dueAt: r.due_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
  doneAt: r.done_at?.toISOString() ?? null,
});

@Injectable()
export class TasksService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async list(me: Principal, q: PageQuery): Promise<Page<TaskResponse>> {
    const limit = q.limit ?? 50;
    const c = decodeCursor(q.cursor);
    const rows: TaskRow[] = await this.ds.query(
      `SELECT id, kind, case_id, approval_id, job_id, due_at, created_at, done_at FROM tasks
       WHERE user_id = $1 AND done_at IS NULL AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $4`,
      [me.id, c?.at ?? null, c?.id ?? null, limit + 1],
    );
    return toPage(rows, limit, (r) => r.created_at, toTask);
  }

  async done(me: Principal, id: string): Promise<TaskResponse> {
    const rows = await returning<TaskRow>(
      this.ds.manager,
      `UPDATE tasks SET done_at = COALESCE(done_at, $3) WHERE id = $1 AND user_id = $2
       RETURNING id, kind, case_id, approval_id, job_id, due_at, created_at, done_at`,
      [id, me.id, this.clock.now()],
    );
    if (!rows.length) throw new NotFoundError('task');
    return toTask(rows[0]);
  }
}

@ApiTags('tasks')
@ApiBearerAuth()
@Authenticated()
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @ApiOperation({ summary: 'The caller’s open tasks' })
  @ApiOkResponse({ type: TaskPage })
  @ApiProblems(400, 401)
  list(@CurrentUser() me: Principal, @Query() q: PageQuery): Promise<Page<TaskResponse>> {
    return this.tasks.list(me, q);
  }

  @Post(':id/done')
  @ApiOperation({ summary: 'Mark a task done' })
  @HttpCode(200)
  @ApiOkResponse({ type: TaskResponse })
  @ApiProblems(400, 401, 404)
  done(@CurrentUser() me: Principal, @Param('id', UuidPipe) id: string): Promise<TaskResponse> {
    return this.tasks.done(me, id);
  }
}
