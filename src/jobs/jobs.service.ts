// Installation jobs: ordered to a contractor once consent and cost allow (or on the emergency
// route, on recorded verbal permission), then accepted, declined, completed or failed by the
// contractor's installers. Each job outcome moves the case through the one transition engine.
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../auth/principal.js';
import { encContext, FieldCrypto } from '../common/crypto/field-crypto.js';
import { ConflictError, NotFoundError, RuleError, StaleVersionError } from '../common/errors.js';
import { decodeCursor, toPage, type Page } from '../common/pagination.js';
import { workingDaysDeadline } from '../common/working-days.js';
import { ApprovalsService } from '../approvals/approvals.service.js';
import {
  canTransition,
  IllegalTransitionError,
  allowedActions,
  type CaseStatus,
} from '../cases/case-state-machine.js';
import type { CaseRow, Personal } from '../cases/case-row.js';
import { CaseTransitions, illegal, type Actor } from '../cases/case-transitions.service.js';
import { actorOf, CasesService } from '../cases/cases.service.js';
import type { OrderInstallDto } from '../cases/dto/case.dto.js';
import { WorkService } from '../cases/work.service.js';
import { IdempotencyService, type Complete } from '../idempotency/idempotency.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { toJobResponse, type JobRow } from './job.response.js';
import type {
  AcceptJobDto,
  CompleteJobDto,
  DeclineJobDto,
  FailJobDto,
  JobResponse,
  ListJobsQuery,
} from './jobs.dto.js';

const JOB_SELECT = `j.*, c.reference AS case_reference, c.personal_enc`;

@Injectable()
export class JobsService {
  constructor(
    private readonly engine: CaseTransitions,
    private readonly cases: CasesService,
    private readonly approvals: ApprovalsService,
    private readonly work: WorkService,
    private readonly notifications: NotificationsService,
    private readonly crypto: FieldCrypto,
    private readonly idempotency: IdempotencyService,
  ) {}

  private personalOf(j: JobRow): () => Personal {
    return () =>
      this.crypto.decryptJson<Personal>(j.personal_enc, encContext('cases', j.case_id, 'personal'));
  }

  respond(j: JobRow, me: Principal): JobResponse {
    return toJobResponse(j, me, this.personalOf(j));
  }

  async find(m: EntityManager, me: Principal, id: string, lock = false): Promise<JobRow> {
    const rows: JobRow[] = await m.query(
      `SELECT ${JOB_SELECT} FROM jobs j JOIN cases c ON c.id = j.case_id WHERE j.id = $1 AND j.scheme_id = $2 ${lock ? 'FOR UPDATE OF j' : ''}`,
      [id, me.schemeId],
    );
    const j = rows[0];
    if (!j || (me.role === 'installer' && j.contractor_id !== me.contractorId))
      throw new NotFoundError('job');
    return j;
  }

  async order(
    me: Principal,
    caseId: string,
    dto: OrderInstallDto,
    ifMatch?: number,
    why?: string,
    key?: string,
  ): Promise<JobResponse> {
    return this.idempotency.run(
      me.id,
      `jobs.order:${caseId}`,
      key,
      dto,
      (complete) =>
        this.engine.tx((m) => this.placeOrder(m, me, caseId, dto, complete, ifMatch, why)),
      async (id) => this.respond(await this.find(this.engine.manager, me, id), me),
    );
  }

  private async placeOrder(
    m: EntityManager,
    me: Principal,
    caseId: string,
    dto: OrderInstallDto,
    complete: Complete,
    ifMatch?: number,
    why?: string,
  ): Promise<JobResponse> {
    {
      const row = await this.cases.visible(m, me, caseId, why, true);
      this.engine.checkVersion(row, ifMatch);
      const contractor = await m.query(
        `SELECT 1 FROM contractors WHERE id = $1 AND scheme_id = $2`,
        [dto.contractorId, row.schemeId],
      );
      if (!contractor.length)
        throw new RuleError('CONTRACTOR_UNKNOWN', 'No contractor with that id in your scheme.', [
          { field: 'contractorId', message: 'unknown contractor' },
        ]);
      const action = dto.emergency ? 'order_emergency_install' : 'order_install';
      if (!canTransition(action, row.status))
        throw illegal(new IllegalTransitionError(action, row.status, allowedActions(row.status)));
      const consent = await this.latest(m, row.id, 'landlord_consent');
      const cost = await this.latest(m, row.id, 'cost');
      const needsConsent = row.tenure !== 'owner_occupier';
      if (dto.emergency) {
        if (row.priority !== 'emergency') {
          throw new RuleError(
            'EMERGENCY_ONLY',
            'The emergency route is only for cases with priority emergency.',
          );
        }
        if (!dto.verbalPermissionFrom) {
          throw new RuleError(
            'VERBAL_PERMISSION_REQUIRED',
            'Record who gave verbal permission for the emergency install.',
            [{ field: 'verbalPermissionFrom', message: 'is required on the emergency route' }],
          );
        }
      } else {
        if (needsConsent && consent?.status !== 'granted') {
          throw new RuleError(
            'CONSENT_REQUIRED',
            consent?.status === 'pending'
              ? 'The landlord has not yet given consent: the install can be ordered once consent is granted.'
              : 'This is a tenancy: request the landlord’s consent (POST /cases/:id/consent-requests) before ordering the install.',
          );
        }
        if (cost && cost.status !== 'granted') {
          throw new RuleError(
            'COST_APPROVAL_REQUIRED',
            'The surveyed measures cost more than the scheme’s threshold: a scheme manager must approve the cost first.',
          );
        }
      }
      const at = this.engine.occurredAt(row, dto.occurredAt);
      const settings = await this.work.settings(m, row.schemeId);
      const set: Record<string, unknown> = {};
      if (dto.emergency) {
        set.emergency_route = true;
        const p = this.cases.personal(row);
        p.verbalPermissionFrom = dto.verbalPermissionFrom;
        set.personal_enc = this.crypto.encryptJson(p, encContext('cases', row.id, 'personal'));
      }
      const next = await this.engine.apply(m, actorOf(me), row, action, {
        at,
        eventType: 'install_ordered',
        data: {
          contractorId: dto.contractorId,
          emergency: !!dto.emergency,
          verbalPermission: !!dto.emergency,
        },
        set,
        note: dto.note,
      });
      const hours =
        row.priority === 'emergency'
          ? settings.jobConfirmHours.emergency
          : settings.jobConfirmHours.standard;
      const confirmBy = new Date(at.getTime() + hours * 3_600_000);
      const [{ id }] = await m.query(
        `INSERT INTO jobs (scheme_id, case_id, contractor_id, priority, emergency, confirm_by, next_chase_at, measures, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8) RETURNING id`,
        [
          row.schemeId,
          row.id,
          dto.contractorId,
          row.priority,
          !!dto.emergency,
          confirmBy,
          JSON.stringify(row.measures ?? []),
          me.id,
        ],
      );
      await this.work.scheduleJobChase(m, id, 'confirm-1', confirmBy);
      if (dto.emergency) {
        // The paperwork the emergency skipped becomes approvals, chased after the install.
        if (needsConsent && consent?.status !== 'granted') {
          if (consent?.status === 'pending') {
            await m.query(
              `UPDATE approvals SET retrospective = true, next_chase_at = NULL, version = version + 1 WHERE id = $1`,
              [consent.id],
            );
          } else {
            await this.approvals.createConsent(m, actorOf(me), next, { retrospective: true, at });
          }
        }
        if (['accepted', 'survey_booked'].includes(row.status)) {
          await m.query(
            `INSERT INTO approvals (scheme_id, case_id, kind, retrospective, due_at, created_by) VALUES ($1, $2, 'survey', true, $3, $4)`,
            [row.schemeId, row.id, workingDaysDeadline(at, settings.consentDueWorkingDays), me.id],
          );
        }
      }
      await complete(m, id);
      return this.respond(await this.find(m, me, id), me);
    }
  }

  private async latest(
    m: EntityManager,
    caseId: string,
    kind: string,
  ): Promise<{ id: string; status: string } | null> {
    const [a] = await m.query(
      `SELECT id, status FROM approvals WHERE case_id = $1 AND kind = $2 AND status <> 'withdrawn' ORDER BY created_at DESC, id DESC LIMIT 1`,
      [caseId, kind],
    );
    return a ?? null;
  }

  async list(me: Principal, q: ListJobsQuery): Promise<Page<JobResponse>> {
    const limit = q.limit ?? 50;
    const c = decodeCursor(q.cursor);
    const params: unknown[] = [me.schemeId, limit + 1];
    const where = ['j.scheme_id = $1'];
    if (me.role === 'installer') {
      params.push(me.contractorId);
      where.push(`j.contractor_id = $${params.length}`);
    }
    if (q.status) {
      params.push(q.status);
      where.push(`j.status = $${params.length}`);
    }
    if (c) {
      params.push(c.at, c.id);
      where.push(`(j.created_at, j.id) < ($${params.length - 1}, $${params.length}::uuid)`);
    }
    const rows: JobRow[] = await this.engine.tx((m) =>
      m.query(
        `SELECT ${JOB_SELECT} FROM jobs j JOIN cases c ON c.id = j.case_id WHERE ${where.join(' AND ')} ORDER BY j.created_at DESC, j.id DESC LIMIT $2`,
        params,
      ),
    );
    return toPage(
      rows,
      limit,
      (r) => r.created_at,
      (r) => this.respond(r, me),
    );
  }

  async get(me: Principal, id: string): Promise<JobResponse> {
    return this.engine.tx(async (m) => {
      const j = await this.find(m, me, id);
      await m.query(
        `INSERT INTO audit_log (scheme_id, actor_id, action, entity, entity_id, data) VALUES ($1, $2, 'job.read', 'case', $3, $4)`,
        [j.scheme_id, me.id, j.case_id, { jobId: j.id }],
      );
      return this.respond(j, me);
    });
  }

  /** Locks case then job (the order every writer uses), checks the job's state and version. */
  private async withJob(
    me: Principal,
    id: string,
    ifMatch: number | undefined,
    allowed: string[],
    fn: (m: EntityManager, j: JobRow, row: CaseRow, actor: Actor) => Promise<void>,
  ): Promise<JobResponse> {
    return this.engine.tx(async (m) => {
      const peek = await this.find(m, me, id);
      const row = await this.engine.find(m, me.schemeId!, peek.case_id, true);
      const j = await this.find(m, me, id, true);
      if (ifMatch !== undefined && ifMatch !== j.version) throw new StaleVersionError(j.version);
      if (!allowed.includes(j.status)) {
        throw new ConflictError(
          'JOB_ILLEGAL_TRANSITION',
          `This job is ${j.status}; that is only possible for a job that is ${allowed.join(' or ')}.`,
          { currentStatus: j.status },
        );
      }
      await fn(m, j, row, { id: me.id, schemeId: row.schemeId, role: me.role });
      return this.respond(await this.find(m, me, id), me);
    });
  }

  accept(me: Principal, id: string, dto: AcceptJobDto, ifMatch?: number): Promise<JobResponse> {
    return this.withJob(me, id, ifMatch, ['offered'], async (m, j, row, actor) => {
      const at = this.engine.occurredAt(row, dto.occurredAt);
      const scheduledFor = new Date(dto.scheduledFor);
      if (scheduledFor < row.statusChangedAt) {
        throw new RuleError(
          'SCHEDULED_BEFORE_ORDER',
          'scheduledFor is before the job was ordered.',
          [{ field: 'scheduledFor', message: 'must not be before the job was ordered' }],
        );
      }
      await this.engine.apply(m, actor, row, 'schedule_install', {
        at,
        eventType: 'install_scheduled',
        note: dto.note,
        data: { jobId: j.id, scheduledFor: scheduledFor.toISOString() },
      });
      // No outcome a working day after the scheduled date → chase the installer.
      const chaseAt = workingDaysDeadline(scheduledFor, 1);
      await m.query(
        `UPDATE jobs SET status = 'accepted', scheduled_for = $2, next_chase_at = $3, version = version + 1 WHERE id = $1`,
        [j.id, scheduledFor, chaseAt],
      );
      await this.work.scheduleJobChase(m, j.id, 'outcome-1', chaseAt);
    });
  }

  private async returnToReady(
    m: EntityManager,
    j: JobRow,
    row: CaseRow,
    actor: Actor,
    at: Date,
    eventType: string,
    data: Record<string, unknown>,
  ): Promise<CaseRow> {
    const [ordered] = await m.query(
      `SELECT from_status FROM case_events WHERE case_id = $1 AND type = 'install_ordered' ORDER BY occurred_at DESC, id DESC LIMIT 1`,
      [row.id],
    );
    return this.engine.apply(m, actor, row, 'install_returned', {
      at,
      eventType,
      data: { jobId: j.id, ...data },
      returnTo: ordered?.from_status as CaseStatus,
    });
  }

  decline(me: Principal, id: string, dto: DeclineJobDto, ifMatch?: number): Promise<JobResponse> {
    return this.withJob(me, id, ifMatch, ['offered', 'accepted'], async (m, j, row, actor) => {
      const at = this.engine.occurredAt(row, dto.occurredAt);
      await m.query(
        `UPDATE jobs SET status = 'declined', outcome_reason = 'declined', notes_enc = $2, next_chase_at = NULL, version = version + 1 WHERE id = $1`,
        [j.id, this.crypto.encrypt(dto.reason, encContext('jobs', j.id, 'notes'))],
      );
      const next = await this.returnToReady(m, j, row, actor, at, 'job_declined', {});
      await this.tellManagers(
        m,
        next,
        j,
        'job_declined',
        `Sanctuary ${row.reference}: the contractor declined the installation job`,
      );
    });
  }

  complete(me: Principal, id: string, dto: CompleteJobDto, ifMatch?: number): Promise<JobResponse> {
    return this.withJob(me, id, ifMatch, ['accepted'], async (m, j, row, actor) => {
      const at = this.engine.occurredAt(row, dto.occurredAt);
      const next = await this.engine.apply(m, actor, row, 'complete_install', {
        at,
        eventType: 'installed',
        data: {
          jobId: j.id,
          contractorId: j.contractor_id,
          measuresInstalled: dto.measuresInstalled.map((x) => ({
            code: x.code,
            quantity: x.quantity,
          })),
        },
        note: dto.notes,
        set: { installed_at: at, contractor_id: j.contractor_id },
      });
      await m.query(
        `UPDATE jobs SET status = 'completed', completed_at = $2, measures_installed = $3, notes_enc = $4, next_chase_at = NULL, version = version + 1 WHERE id = $1`,
        [
          j.id,
          at,
          JSON.stringify(
            dto.measuresInstalled.map((x) => ({ code: x.code, quantity: x.quantity })),
          ),
          dto.notes ? this.crypto.encrypt(dto.notes, encContext('jobs', j.id, 'notes')) : null,
        ],
      );
      await this.work.startSupport(m, next, at);
    });
  }

  fail(me: Principal, id: string, dto: FailJobDto, ifMatch?: number): Promise<JobResponse> {
    return this.withJob(me, id, ifMatch, ['offered', 'accepted'], async (m, j, row, actor) => {
      const at = this.engine.occurredAt(row, dto.occurredAt);
      await m.query(
        `UPDATE jobs SET status = 'failed', outcome_reason = $2, completed_at = $3, notes_enc = $4, next_chase_at = NULL, version = version + 1 WHERE id = $1`,
        [
          j.id,
          dto.reason,
          at,
          dto.notes ? this.crypto.encrypt(dto.notes, encContext('jobs', j.id, 'notes')) : null,
        ],
      );
      if (dto.reason === 'landlord_refused_on_site') {
        const next = await this.engine.apply(m, actor, row, 'mark_unsuccessful', {
          at,
          eventType: 'unsuccessful',
          data: { reason: 'landlord_refusal', jobId: j.id, via: 'installer turned away on site' },
          set: { outcome_reason: 'landlord_refusal' },
        });
        await this.work.closeOpenWork(m, next, at);
        await this.work.refusalAlert(m, next, 'the installer was turned away on site');
      } else {
        const next = await this.returnToReady(m, j, row, actor, at, 'job_failed', {
          reason: dto.reason,
        });
        await this.tellManagers(
          m,
          next,
          j,
          'job_failed',
          `Sanctuary ${row.reference}: the installation could not be done (${dto.reason.replace(/_/g, ' ')})`,
        );
      }
    });
  }

  private async tellManagers(
    m: EntityManager,
    row: CaseRow,
    j: JobRow,
    kind: 'job_declined' | 'job_failed',
    subject: string,
  ): Promise<void> {
    await this.notifications.staffAlert(m, {
      schemeId: row.schemeId,
      users: await this.notifications.managers(m, row.schemeId),
      kind,
      caseId: row.id,
      jobId: j.id,
      dedupeKey: `${kind}:${j.id}`,
      subject,
      body: `${subject}.\nThe case is ready for the install to be ordered again. Sign in to Sanctuary to see it.`,
    });
  }
}
